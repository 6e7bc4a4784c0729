"""Durable, de-duplicated alert storage with the feed's hash chain built at write time.

Raising an alert appends it to the ``alerts`` chained log keyed by the alert id: the
store's atomic append makes a second raise (redelivery, a second worker, a replay) a
no-op, and assigns the feed sequence and hash in the same step, so the feed can never
contain a duplicate or a gap. The event's ``time`` is taken once, when it is stored.

Signed heads (checkpoints, alerts/feed.py) live in a second log, ``feed-checkpoints``:
they are statements *about* the chain, made later by the publisher or an export, so they
cannot sit inside the chain at the position they sign (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from alerts.feed import (
    EVENT_TYPE,
    build_checkpoint,
    build_event,
    build_lifecycle_event,
    rfc3339_now,
)
from alerts.signing import Signer
from txmon.models import Alert
from txmon.store.base import AppendResult, LogHead, Store
from txmon.wire import alert_from_wire, dumps, loads

FEED_LOG = "alerts"
CHECKPOINT_LOG = "feed-checkpoints"


class AlertStore:
    """Alerts on any Store backend."""

    def __init__(self, store: Store, source: str = "txmon/engine",
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self._store = store
        self._source = source
        self._clock = clock

    @property
    def backend(self) -> Store:
        """The Store this feed lives on (the publisher keeps its own bookkeeping there)."""
        return self._store

    @property
    def source(self) -> str:
        return self._source

    def _now(self) -> str:
        return rfc3339_now(self._clock() if self._clock else None)

    def raise_alert(self, alert: Alert) -> AppendResult:
        """Store ``alert`` once; ``created`` is False when it was already there."""
        stored_at = self._now()  # once: build() may run again under contention

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            event = build_event(alert, seq, prev_hash, self._source, time=stored_at)
            return dumps(event), event["hash"]

        return self._store.append_chained(FEED_LOG, alert.id, build)

    def append_event(self, key: str, event_type: str, subject: str,
                     data: dict[str, Any]) -> AppendResult:
        """Append a lifecycle event about alert ``subject`` once per ``key`` (its dedupe key).

        Same log as the alerts, so sequence, chain and de-duplication cover every type.
        """

        stored_at = self._now()

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            event = build_lifecycle_event(event_type, key, subject, data, seq, prev_hash,
                                          self._source, time=stored_at)
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

    def head(self) -> LogHead:
        """Sequence and hash of the last stored event."""
        return self._store.log_head(FEED_LOG)

    def raw_event(self, seq: int) -> bytes | None:
        """The stored bytes of event ``seq`` (None when the store has no such event)."""
        for found, raw in self._store.read_log(FEED_LOG, seq):
            return raw if found == seq else None
        return None

    def sign_head(self, signer: Signer, seq: int, digest: str) -> dict[str, Any]:
        """The checkpoint signing ``seq:digest`` with ``signer`` (made once, then kept)."""
        record = build_checkpoint(signer, self._source, seq, digest, self._now())
        raw = dumps(record)
        result = self._store.append_chained(
            CHECKPOINT_LOG, f"{signer.kid}:{seq}",
            lambda _seq, _prev: (raw, hashlib.sha256(raw).hexdigest()))
        if result.created:
            return record
        for _, stored in self._store.read_log(CHECKPOINT_LOG, result.seq):
            return dict(loads(stored))
        return record  # pragma: no cover - the entry the dedupe key names is always there

    def checkpoints(self) -> Iterator[dict[str, Any]]:
        """Stored checkpoints, oldest first."""
        for _, raw in self._store.read_log(CHECKPOINT_LOG):
            yield loads(raw)
