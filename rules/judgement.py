"""How one transfer is judged, and which mode said so: one code path for every caller.

The live engine, ``txmon replay`` and ``txmon rules test`` (backtest) all turn a transfer
into alerts here, so that they cannot disagree on the same input. What differs between
them is only the :class:`Mode`, and every alert names it in ``evidence["mode"]``:

* ``live``: the lists as of each block's date; a counterparty designated *after* that
  date (the engine lags, or another worker consumed the list update) also raises a
  retroactive alert, so the outcome does not depend on which arrived first.
* ``replay-point-in-time`` (replay's default): the lists as of each block's date and
  nothing else: exactly what the live pipeline would have raised at the time.
* ``replay-lookback`` (``--lookback``): point in time plus the retroactive alerts that
  later designations imply, as the live engine raises them.
* ``as-of YYYY-MM-DD`` (``--as-of``): the lists of that one date for every transfer; a
  later date includes later designations (not marked retroactive: they are simply in
  force on that date).
* ``backtest-lookback`` (``rules test``'s default, what the live engine would raise on the
  transfers) and ``backtest-point-in-time``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from enrich.enricher import Enricher
from rules.engine import RuleEngine, RuleFailure
from rules.retro import late_alerts
from txmon.models import Alert, Transfer


@dataclass(frozen=True, slots=True)
class Mode:
    """Which lists judge a transfer, whether later designations look back, and its name."""

    name: str
    as_of: dt.date | None = None
    lookback: bool = False

    def __post_init__(self) -> None:
        if self.lookback and self.as_of is not None:
            raise ValueError("lookback needs the block's own date: not with an as-of date")

    @classmethod
    def _of(cls, prefix: str, as_of: dt.date | None, lookback: bool) -> Mode:
        if as_of is not None:
            return cls(f"as-of {as_of.isoformat()}", as_of=as_of)
        return cls(f"{prefix}-{'lookback' if lookback else 'point-in-time'}", lookback=lookback)

    @classmethod
    def live(cls, as_of: dt.date | None = None) -> Mode:
        return cls._of("live", as_of, True) if as_of is not None else cls("live", lookback=True)

    @classmethod
    def replay(cls, as_of: dt.date | None = None, lookback: bool = False) -> Mode:
        return cls._of("replay", as_of, lookback)

    @classmethod
    def backtest(cls, as_of: dt.date | None = None, lookback: bool = True) -> Mode:
        return cls._of("backtest", as_of, lookback)

    def label(self, alert: Alert) -> Alert:
        """``alert`` with ``evidence["mode"]`` naming this mode."""
        return replace(alert, evidence={**alert.evidence, "mode": self.name})


class Judge:
    """Enrich + rules (+ look-back) for one transfer, in one mode."""

    def __init__(self, enricher: Enricher, rules: RuleEngine, mode: Mode) -> None:
        self._enricher = enricher
        self._rules = rules
        self.mode = mode

    def alerts(self, transfer: Transfer,
               failures: list[RuleFailure] | None = None) -> list[Alert]:
        """The transfer's alerts in this mode; one rule's error goes to ``failures``."""
        enriched = self._enricher.enrich(transfer, self.mode.as_of)
        alerts = self._rules.evaluate(enriched, failures=failures)
        if self.mode.lookback and enriched.designated_later:
            raised = {a.id for a in alerts}
            late = late_alerts(self._enricher, self._rules, enriched, failures)
            alerts += [a for a in late if a.id not in raised]
        return [self.mode.label(a) for a in alerts]
