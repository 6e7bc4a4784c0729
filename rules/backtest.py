"""Shadow mode: run enrich + rules over recorded transfers without storing anything.

A compliance officer tests a rulebook change against history before it goes live. The
exposure state lives in a throw-away in-memory store, so a backtest starts from clean
state, sees the transfers in file order (which must be block order) and leaves the live
state untouched. Each transfer is judged by :class:`rules.judgement.Judge`, the engine's
own code path, so a backtest raises what the engine would (by default in the live
engine's mode: with look-back for counterparties designated after the transfer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from enrich.enricher import Enricher, TagLookup
from rules.engine import RuleEngine, RuleFailure
from rules.judgement import Judge, Mode
from rules.prices import PriceTable
from rules.rulebook import Rulebook
from txmon.errors import BadRecord
from txmon.models import Alert
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer


@dataclass
class BacktestStats:
    transfers: int = 0
    bad: list[str] = field(default_factory=list)  # "line N: reason" (bad line or rule error)
    by_rule: dict[str, int] = field(default_factory=dict)


def backtest(lines: Iterable[bytes], rulebook: Rulebook, lookup: TagLookup,
             prices: PriceTable | None, as_of: dt.date | None,
             stats: BacktestStats, lookback: bool = True) -> Iterator[Alert]:
    """Alerts ``rulebook`` would raise on the NDJSON transfers in ``lines``."""
    store = SqliteStore(":memory:")
    try:
        engine = RuleEngine(rulebook, store=store, prices=prices)
        judge = Judge(Enricher(lookup), engine, Mode.backtest(as_of, lookback and as_of is None))
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                transfer = decode_transfer(line)
            except BadRecord as exc:
                stats.bad.append(f"line {n}: {exc}")
                continue
            stats.transfers += 1
            failures: list[RuleFailure] = []
            for alert in judge.alerts(transfer, failures):
                stats.by_rule[alert.rule] = stats.by_rule.get(alert.rule, 0) + 1
                yield alert
            stats.bad += [f"line {n}: {failure}" for failure in failures]
    finally:
        store.close()
