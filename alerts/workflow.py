"""Alert status workflow: open → investigating → escalated | dismissed, as an audit trail.

Every change is appended to a hash-chained log per alert (``alert-status:<id>``) on the
Store, with who, when (UTC) and why; nothing is ever updated in place, so the trail is
the status. A change is appended with the dedupe key ``after:<seq it was decided on>``:
two analysts changing the same alert at once cannot both win — the second is refused and
must look again. The alert itself (its id, evidence and feed entry) is never rewritten.
A *note* (an entry whose status equals its previous one, e.g. "the party was delisted")
records a fact without changing the status; real changes never repeat a status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum

from alerts.store import AlertStore
from txmon.errors import WorkflowError
from txmon.store.base import Store
from txmon.wire import dumps, loads


class Status(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    DISMISSED = "dismissed"


ALLOWED: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.INVESTIGATING}),
    Status.INVESTIGATING: frozenset({Status.ESCALATED, Status.DISMISSED}),
    Status.ESCALATED: frozenset(),
    Status.DISMISSED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of an alert's audit trail."""

    alert_id: str
    seq: int
    previous: str
    status: str
    by: str
    at: str  # ISO 8601 UTC
    reason: str
    prevhash: str
    hash: str


def _entry_hash(entry: dict[str, object]) -> str:
    return hashlib.sha256(dumps({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


class AlertWorkflow:
    """Status changes of stored alerts on any Store backend."""

    def __init__(self, store: Store, alerts: AlertStore,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._store = store
        self._alerts = alerts
        self._clock = clock

    @staticmethod
    def _log(alert_id: str) -> str:
        return f"alert-status:{alert_id}"

    def history(self, alert_id: str) -> list[StatusChange]:
        """The audit trail, oldest first (empty: the alert is open and untouched)."""
        return [StatusChange(**loads(raw)) for _, raw in self._store.read_log(self._log(alert_id))]

    def status(self, alert_id: str) -> Status:
        changes = [c for c in self.history(alert_id) if c.status != c.previous]  # not notes
        return Status(changes[-1].status) if changes else Status.OPEN

    def note(self, alert_id: str, key: str, by: str, reason: str) -> bool:
        """Append a fact to the trail without changing the status, once per ``key``."""
        current = self.status(alert_id)
        at = self._clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            entry = {"alert_id": alert_id, "seq": seq, "previous": current.value,
                     "status": current.value, "by": by, "at": at, "reason": reason,
                     "prevhash": prev_hash, "hash": ""}
            entry["hash"] = _entry_hash(entry)
            return dumps(entry), str(entry["hash"])

        return self._store.append_chained(self._log(alert_id), f"note:{key}", build).created

    def change(self, alert_id: str, to: str, by: str, reason: str) -> StatusChange:
        """Append a status change; raise WorkflowError when it is not allowed."""
        target = self._validate(alert_id, to, by, reason)
        head = self._store.log_head(self._log(alert_id))
        current = self.status(alert_id)
        if target not in ALLOWED[current]:
            allowed = ", ".join(sorted(ALLOWED[current])) or "none (final)"
            raise WorkflowError(f"alert {alert_id}: cannot go from {current} to {target} "
                                f"(allowed: {allowed})")
        at = self._clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        made: list[StatusChange] = []

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            entry = {"alert_id": alert_id, "seq": seq, "previous": current.value,
                     "status": target.value, "by": by, "at": at, "reason": reason,
                     "prevhash": prev_hash, "hash": ""}
            entry["hash"] = _entry_hash(entry)
            made[:] = [StatusChange(**entry)]  # type: ignore[arg-type]
            return dumps(entry), str(entry["hash"])

        result = self._store.append_chained(self._log(alert_id), f"after:{head.seq}", build)
        if not result.created or result.seq != head.seq + 1:
            raise WorkflowError(f"alert {alert_id}: changed concurrently by someone else; "
                                "look at its history and try again")
        return made[0]

    def _validate(self, alert_id: str, to: str, by: str, reason: str) -> Status:
        try:
            target = Status(to)
        except ValueError:
            raise WorkflowError(f"unknown status {to!r}; one of "
                                f"{', '.join(s.value for s in Status)}") from None
        if not by.strip() or not reason.strip():
            raise WorkflowError("a status change needs who (--by) and why (--reason)")
        if self._alerts.find(alert_id) is None:
            raise WorkflowError(f"no stored alert with id {alert_id}")
        return target


def verify_trail(trail: list[StatusChange]) -> bool:
    """True when the trail's sequence, links and hashes are intact."""
    prev = ""
    for n, change in enumerate(trail, start=1):
        entry = asdict(change)
        if change.seq != n or change.prevhash != prev or change.hash != _entry_hash(entry):
            return False
        prev = change.hash
    return True
