"""What happens to an alert after it was raised: its block is reorged out, or mined again.

An alert is never rewritten or deleted (the feed is append-only and hash-chained). When
the follower retracts a transfer (its block left the canonical chain), every alert raised
on that transfer gets an ``io.txmon.alert.retracted.v1`` event on the feed; when the same
transaction is mined again in a canonical block and the engine raises the same alert (same
id: hash of rule and transfer), it gets ``io.txmon.alert.reincluded.v1``. So the live feed,
read with its lifecycle events, says what a replay of the canonical chain says.

Store keys (any backend): set ``alert-index:transfer:<transfer id>`` → ids of the alerts
raised on it (buffered per engine batch: one ``add_members`` per batch, flushed before any
retraction is looked up and before the batch commits),
and ``alert-life:retracted:<alert id>`` → the block hash it was retracted from, while it
stands retracted. Each event is appended once per (alert, block hash), so a redelivered
retraction is a no-op, and a second reorg of a re-mined block is a new fact.
"""

from __future__ import annotations

from typing import Any

from alerts.feed import REINCLUDED_TYPE, RETRACTED_TYPE
from alerts.store import AlertStore
from txmon.models import Alert, Transfer
from txmon.store.base import Store

INDEX = "alert-index:transfer:"
RETRACTED = "alert-life:retracted:"
RETRACT_REASON = "the transfer's block left the canonical chain (reorg)"
REINCLUDE_REASON = "the transfer was mined again in a canonical block"


class AlertLifecycle:
    """Appends retracted / re-included events for the alerts of one transfer."""

    def __init__(self, store: Store, alerts: AlertStore) -> None:
        self._store = store
        self._alerts = alerts
        self._pending: dict[str, list[str]] = {}  # index entries not yet written

    def flush(self) -> None:
        """Write the buffered index entries (the engine calls it before committing)."""
        if self._pending:
            pending, self._pending = self._pending, {}
            self._store.add_members({INDEX + t: ids for t, ids in pending.items()})

    def raised(self, alert: Alert, created: bool, transfer: Transfer | None = None) -> bool:
        """Record a raised alert; re-raised on a re-mined ``transfer``, it is re-included.

        Returns True when a re-included event was appended.
        """
        self._pending.setdefault(alert.transfer_id, []).append(alert.id)
        if created or transfer is None:
            return False
        if self._store.get(RETRACTED + alert.id) is None:
            return False
        self._alerts.append_event(f"reincluded:{alert.id}:{transfer.block_hash}",
                                  REINCLUDED_TYPE, alert.id,
                                  _data(alert.id, transfer, REINCLUDE_REASON))
        self._store.delete(RETRACTED + alert.id)
        return True

    def retracted(self, transfer: Transfer) -> int:
        """Append a retracted event on every alert of ``transfer``; returns how many new."""
        self.flush()  # an alert raised earlier in this batch is retracted too
        count = 0
        for alert_id in sorted(self._store.members(INDEX + transfer.id)):
            result = self._alerts.append_event(
                f"retracted:{alert_id}:{transfer.block_hash}", RETRACTED_TYPE, alert_id,
                _data(alert_id, transfer, RETRACT_REASON))
            self._store.put(RETRACTED + alert_id, (transfer.block_hash or "").encode())
            count += result.created
        return count


def _data(alert_id: str, transfer: Transfer, reason: str) -> dict[str, Any]:
    return {"alert_id": alert_id, "transfer_id": transfer.id, "reason": reason,
            "block": transfer.block_number, "block_hash": transfer.block_hash}
