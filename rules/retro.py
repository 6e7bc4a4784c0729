"""Retroactive alerts: when a list update designates addresses, look back at past flows.

A ``tags.version`` message on ``txmon.tags.updates`` (see :mod:`enrich.tagupdates`) lists
the addresses ``added`` by a new list version. Every stored transfer touching one of them
is re-evaluated with the lists as of the version's publication date, and each alert that
names a newly added address is raised with ``retroactive=True`` and the list version.

The alert id stays hash(rule id, transfer id): if the live run already raised it, the
store's de-duplication keeps the original. Exposure state is not touched (old transfers
must not be applied twice). A delisting (``removed``) raises nothing and rewrites nothing:
the feed is append-only.

The same judgement applies to a flow the engine sees only *after* the list that designates
its counterparty (engine lag, another worker consumed the update, a replay of old blocks):
:meth:`RetroactiveScanner.late` re-evaluates it as of the designation date and marks the
alert retroactive, so the outcome does not depend on which of the two arrived first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from enrich.enricher import EnrichedTransfer, Enricher, TagLookup
from rules.engine import RuleEngine, RuleFailure
from rules.history import TransferHistory
from txmon.addresses import key_text
from txmon.errors import BadRecord
from txmon.models import Alert


class RetroactiveScanner:
    """Turns one list-update message into the retroactive alerts it implies."""

    def __init__(self, history: TransferHistory, lookup: TagLookup, rules: RuleEngine) -> None:
        self._history = history
        self._enricher = Enricher(lookup)
        self._rules = rules

    def scan(self, message: dict[str, Any],
             failures: list[RuleFailure] | None = None) -> list[Alert]:
        """Alerts for past transfers touching addresses this update added.

        ``message`` is validated by :func:`enrich.tagupdates.parse_update` first (the
        engine does it); a rule that fails on a past transfer goes to ``failures``.
        """
        if not isinstance(message, dict) or message.get("type") != "tags.version":
            return []
        try:
            added = [str(a) for a in message.get("added") or ()]
            version = str(message["version"])
            published = dt.date.fromisoformat(message["published"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BadRecord(f"not a tags.version message: {exc!r}") from exc
        if not added:
            return []
        wanted = {key_text(a) for a in added}
        alerts: list[Alert] = []
        for transfer in self._history.touching(added):
            enriched = self._enricher.enrich(transfer, published)
            for alert in self._rules.evaluate(enriched, track_exposure=False,
                                              failures=failures):
                named = sorted(a for a in alert.addresses if key_text(a) in wanted)
                if not named:
                    continue
                evidence = {**alert.evidence, "retroactive": {
                    "list_version": version, "source": message.get("source"),
                    "published": published.isoformat(), "newly_listed": named}}
                alerts.append(replace(alert, retroactive=True, list_version=version,
                                      evidence=evidence))
        return alerts

    def late(self, enriched: EnrichedTransfer,
             failures: list[RuleFailure] | None = None) -> list[Alert]:
        """Retroactive alerts for a flow whose counterparty was designated after its date."""
        return late_alerts(self._enricher, self._rules, enriched, failures)


def late_alerts(enricher: Enricher, rules: RuleEngine, enriched: EnrichedTransfer,
                failures: list[RuleFailure] | None = None) -> list[Alert]:
    """Retroactive alerts for a flow whose counterparty was designated after its date.

    Shared by the engine and the backtest through :mod:`rules.judgement`.
    """
    later = [t for t in enriched.designated_later
             if t.listed_at is not None and t.active_on(t.listed_at)]
    if not later:
        return []
    day = max(t.listed_at for t in later if t.listed_at is not None)
    named = {key_text(t.address) for t in later}
    again = enricher.enrich(enriched.transfer, day)
    alerts: list[Alert] = []
    for alert in rules.evaluate(again, track_exposure=False, failures=failures):
        newly = sorted(a for a in alert.addresses if key_text(a) in named)
        if not newly:
            continue
        evidence = {**alert.evidence, "retroactive": {
            "reason": "designated after the transfer's date",
            "designated": day.isoformat(), "newly_listed": newly,
            "sources": sorted({t.source for t in later})}}
        alerts.append(replace(alert, retroactive=True, evidence=evidence))
    return alerts
