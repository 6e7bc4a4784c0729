"""A delisting reaches the open alerts that rest on the delisted party.

When a list update removes addresses (a ``tags.version`` message whose ``removed`` names
them, e.g. OFAC's removal of Tornado Cash from the SDN list on 2025-03-21), every alert
that is still open — status ``open`` or ``investigating``, no final decision yet — and
whose reason was one of those addresses gets an ``io.txmon.alert.delisted.v1`` event on
the feed: its evidence matched the address with a tag of that source, or named it as an
exposure source. Nothing is deleted or rewritten: the alert was right on its date (the
designation was in force then); the event tells the analyst the party is no longer listed.
The alert's status audit trail gets a note too (status unchanged; ``txmon alerts history``).

Idempotent per (alert, source, address, delisting date): a redelivered update adds nothing.
Finding the alerts reads the feed once per update: delistings are rare (a handful a year
per list), alerts are few, and no hot-path index has to be kept for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from alerts.feed import DELISTED_TYPE
from alerts.store import AlertStore
from alerts.workflow import ALLOWED, AlertWorkflow
from txmon.addresses import key_text
from txmon.models import Alert


@dataclass(frozen=True, slots=True)
class Delisting:
    """Addresses one source no longer lists, from ``on`` (in edition ``edition``)."""

    source: str
    on: dt.date
    edition: str
    addresses: tuple[str, ...]
    parties: dict[str, str] | None = None  # address → listed party, when the update knows


def _reasons(alert: Alert, source: str, wanted: set[str]) -> dict[str, str]:
    """Delisted addresses this alert rests on → the party named in its evidence ('' if none)."""
    found: dict[str, str] = {}
    matches = alert.evidence.get("matches")
    for match in matches if isinstance(matches, list) else ():
        if not isinstance(match, dict) or not isinstance(match.get("address"), str):
            continue  # evidence of an older shape: nothing to match on
        address = key_text(match["address"])
        tags = [t for t in match.get("tags") or () if isinstance(t, dict)
                and t.get("source") == source]
        if address in wanted and tags:
            found[address] = "; ".join(sorted({str(t.get("entity", "")) for t in tags}))
    exposure: Any = alert.evidence.get("exposure") or {}
    for raw in exposure.get("sources") or ():
        if isinstance(raw, str):
            found.setdefault(key_text(raw), "")
    return {a: p for a, p in found.items() if a in wanted}


class AlertDelistings:
    """Appends delisted events to the open alerts of a delisting."""

    def __init__(self, alerts: AlertStore, workflow: AlertWorkflow) -> None:
        self._alerts = alerts
        self._workflow = workflow

    def apply(self, delisting: Delisting) -> int:
        """Flag every open alert resting on a delisted address; returns new events."""
        wanted = {key_text(a) for a in delisting.addresses}
        if not wanted:
            return 0
        parties = {key_text(a): p for a, p in (delisting.parties or {}).items()}
        count = 0
        for alert in self._alerts.alerts():
            reasons = _reasons(alert, delisting.source, wanted)
            if not reasons or not ALLOWED[self._workflow.status(alert.id)]:
                continue  # not about this party, or decided already (escalated/dismissed)
            for address, party in sorted(reasons.items()):
                count += self._flag(alert, address, party or parties.get(address, ""),
                                    delisting)
        return count

    def _flag(self, alert: Alert, address: str, party: str, delisting: Delisting) -> int:
        key = f"delisted:{alert.id}:{delisting.source}:{address}:{delisting.on.isoformat()}"
        data = {"alert_id": alert.id, "address": address, "party": party,
                "source": delisting.source, "delisted_on": delisting.on.isoformat(),
                "edition": delisting.edition}
        created = self._alerts.append_event(key, DELISTED_TYPE, alert.id, data).created
        self._workflow.note(alert.id, key, "txmon", f"{party or address} delisted by "
                            f"{delisting.source} on {delisting.on.isoformat()} (edition "
                            f"{delisting.edition}); the alert stands as raised")
        return int(created)


def delisting_from_message(message: dict[str, Any]) -> Delisting | None:
    """The delisting a ``tags.version`` message announces (None: it removes nothing).

    Raises KeyError/TypeError/ValueError on a malformed message (the caller dead-letters).
    """
    if not isinstance(message, dict) or message.get("type") != "tags.version" \
            or not message.get("removed"):
        return None
    removed = message["removed"]
    if not isinstance(removed, list):
        raise TypeError(f"'removed' must be a list, got {type(removed).__name__}")
    parties = message.get("parties")
    return Delisting(str(message["source"]), dt.date.fromisoformat(message["published"]),
                     str(message["version"]), tuple(str(a) for a in removed),
                     dict(parties) if isinstance(parties, dict) else None)
