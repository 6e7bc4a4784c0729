"""Durable, de-duplicated alert storage with the feed's hash chain built at write time.

Raising an alert appends it to the ``alerts`` chained log keyed by the alert id: the
store's atomic append makes a second raise (redelivery, a second worker, a replay) a
no-op, and assigns the feed sequence and hash in the same step, so the feed can never
contain a duplicate or a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alerts.feed import EVENT_TYPE, build_event, build_lifecycle_event
from txmon.models import Alert
from txmon.store.base import AppendResult, Store
from txmon.wire import alert_from_wire, dumps, loads

FEED_LOG = "alerts"


class AlertStore:
    """Alerts on any Store backend."""

    def __init__(self, store: Store, source: str = "txmon/engine") -> None:
        self._store = store
        self._source = source

    def raise_alert(self, alert: Alert) -> AppendResult:
        """Store ``alert`` once; ``created`` is False when it was already there."""

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            event = build_event(alert, seq, prev_hash, self._source)
            return dumps(event), event["hash"]

        return self._store.append_chained(FEED_LOG, alert.id, build)

    def append_event(self, key: str, event_type: str, subject: str,
                     data: dict[str, Any]) -> AppendResult:
        """Append a lifecycle event about alert ``subject`` once per ``key`` (its dedupe key).

        Same log as the alerts, so sequence, chain and de-duplication cover every type.
        """

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            event = build_lifecycle_event(event_type, key, subject, data, seq, prev_hash,
                                          self._source)
            return dumps(event), event["hash"]

        return self._store.append_chained(FEED_LOG, key, build)

    def events(self, from_seq: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
        """Feed events (CloudEvents dicts) in sequence order."""
        for seq, raw in self._store.read_log(FEED_LOG, from_seq):
            yield seq, loads(raw)

    def raw_events(self, from_seq: int = 1) -> Iterator[tuple[int, bytes]]:
        """Feed events as stored bytes (what is published and exported, unchanged)."""
        return self._store.read_log(FEED_LOG, from_seq)

    def alerts(self) -> Iterator[Alert]:
        """Every stored alert in feed order (lifecycle events left out)."""
        for _, event in self.events():
            if event.get("type", EVENT_TYPE) == EVENT_TYPE:
                yield alert_from_wire(event["data"])

    def lifecycle(self) -> dict[str, list[dict[str, Any]]]:
        """Lifecycle events (retracted, delisted, …) per alert id, in feed order."""
        out: dict[str, list[dict[str, Any]]] = {}
        for _, event in self.events():
            if event.get("type", EVENT_TYPE) != EVENT_TYPE:
                out.setdefault(event["subject"], []).append(event)
        return out

    def find(self, alert_id: str) -> Alert | None:
        """The stored alert with this id (a scan of the feed: for operators, not hot paths)."""
        for alert in self.alerts():
            if alert.id == alert_id:
                return alert
        return None

    def count(self) -> int:
        """Events on the feed (alerts and lifecycle events)."""
        return self._store.log_head(FEED_LOG).seq
