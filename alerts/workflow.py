"""Alert status workflow: open → investigating → escalated | dismissed, as an audit trail.

Every change is appended to a hash-chained log per alert (``alert-status:<id>``) on the
Store, with who, when (UTC) and why; nothing is ever updated in place, so the trail is
the status. A change is appended with the dedupe key ``after:<seq it was decided on>``:
two analysts changing the same alert at once cannot both win — the second is refused and
must look again. The alert itself (its id, evidence and feed entry) is never rewritten.
A *note* (an entry whose status equals its previous one, e.g. "the party was delisted")
records a fact without changing the status; real changes never repeat a status.

The chain proves that no entry was edited or removed from the middle, but deleting the
*last* entries leaves a shorter chain that is still intact. So, like the feed, the trail
has a signed head: after each change the trail's (seq, hash) is signed with the feed key
(statement source ``alert-status:<id>``, alerts/signing.py) and kept under
``alert-status-head:<id>``; :func:`check_trail` reports a trail that ends before its
signed head, or before the store's own log head, as broken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from alerts import activity
from alerts.feed import build_checkpoint, check_checkpoint, rfc3339_now
from alerts.signing import Keyring, Signer
from alerts.store import AlertStore
from txmon.errors import WorkflowError
from txmon.store.base import LogHead, Store
from txmon.wire import dumps, entry_hash, loads


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


_Builder = Callable[[int, str], tuple[bytes, str]]  # (seq, prev hash) → (entry, its hash)


class AlertWorkflow:
    """Status changes of stored alerts on any Store backend."""

    def __init__(self, store: Store, alerts: AlertStore,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 signer: Signer | None = None) -> None:
        self._store = store
        self._alerts = alerts
        self._clock = clock
        self._signer = signer

    @staticmethod
    def _log(alert_id: str) -> str:
        return f"alert-status:{alert_id}"

    def log_head(self, alert_id: str) -> LogHead:
        """The store's own head of the trail (Redis keeps it apart from the entries)."""
        return self._store.log_head(self._log(alert_id))

    def signed_head(self, alert_id: str) -> dict[str, Any] | None:
        """The last signed head of the trail (a checkpoint record), if any."""
        raw = self._store.get(f"alert-status-head:{alert_id}")
        return None if raw is None else dict(loads(raw))

    def _sign(self, alert_id: str, change: StatusChange) -> None:
        if self._signer is None:
            return
        record = build_checkpoint(self._signer, self._log(alert_id), change.seq, change.hash,
                                  rfc3339_now(self._clock()))
        self._store.put(f"alert-status-head:{alert_id}", dumps(record))

    def history(self, alert_id: str) -> list[StatusChange]:
        """The audit trail, oldest first (empty: the alert is open and untouched)."""
        return [StatusChange(**loads(raw)) for _, raw in self._store.read_log(self._log(alert_id))]

    def status(self, alert_id: str) -> Status:
        changes = [c for c in self.history(alert_id) if c.status != c.previous]  # not notes
        return Status(changes[-1].status) if changes else Status.OPEN

    def _entry_builder(self, alert_id: str, previous: Status, status: Status, by: str,
                       reason: str, made: list[StatusChange]) -> _Builder:
        """The ``append_chained`` builder of one trail entry; ``made`` receives the entry."""
        at = self._clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            entry = {"alert_id": alert_id, "seq": seq, "previous": previous.value,
                     "status": status.value, "by": by, "at": at, "reason": reason,
                     "prevhash": prev_hash, "hash": ""}
            entry["hash"] = entry_hash(entry)
            made[:] = [StatusChange(**entry)]  # type: ignore[arg-type]
            return dumps(entry), str(entry["hash"])

        return build

    def note(self, alert_id: str, key: str, by: str, reason: str) -> bool:
        """Append a fact to the trail without changing the status, once per ``key``."""
        current = self.status(alert_id)
        made: list[StatusChange] = []
        build = self._entry_builder(alert_id, current, current, by, reason, made)
        created = self._store.append_chained(self._log(alert_id), f"note:{key}", build).created
        if created and made:  # a note extends the trail: its signed head moves with it
            self._sign(alert_id, made[0])
        return created

    def change(self, alert_id: str, to: str, by: str, reason: str) -> StatusChange:
        """Append a status change; raise WorkflowError when it is not allowed."""
        target = self._validate(alert_id, to, by, reason)
        head = self._store.log_head(self._log(alert_id))
        current = self.status(alert_id)
        if target not in ALLOWED[current]:
            allowed = ", ".join(sorted(ALLOWED[current])) or "none (final)"
            raise WorkflowError(f"alert {alert_id}: cannot go from {current} to {target} "
                                f"(allowed: {allowed})")
        made: list[StatusChange] = []
        build = self._entry_builder(alert_id, current, target, by, reason, made)
        result = self._store.append_chained(self._log(alert_id), f"after:{head.seq}", build)
        if not result.created or result.seq != head.seq + 1:
            raise WorkflowError(f"alert {alert_id}: changed concurrently by someone else; "
                                "look at its history and try again")
        self._sign(alert_id, made[0])
        activity.record(self._store, alert_id, "status", made[0].status, by, made[0].at)
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
    return _chain_problem(trail) is None


def _chain_problem(trail: list[StatusChange]) -> str | None:
    prev = ""
    for n, change in enumerate(trail, start=1):
        entry = asdict(change)
        if change.seq != n:
            return f"entry {n} missing or out of order (found {change.seq})"
        if change.prevhash != prev:
            return f"entry {n} does not link to entry {n - 1}"
        if change.hash != entry_hash(entry):
            return f"entry {n} was edited (hash mismatch)"
        prev = change.hash
    return None


def check_trail(trail: list[StatusChange], log_head: LogHead,
                signed: dict[str, Any] | None, keyring: Keyring | None) -> str | None:
    """None when the trail is intact and complete; else the first problem found.

    Complete means it reaches the store's log head and, when the trail is signed, its
    signed head: deleting the last entries is then caught. With a ``keyring`` a trail
    must be signed and its head's signature must verify.
    """
    problem = _chain_problem(trail)
    if problem is not None:
        return problem
    last = trail[-1] if trail else None
    if log_head.seq != len(trail) or (last is not None and log_head.hash != last.hash):
        return (f"trail ends at entry {len(trail)} but the store's head is entry "
                f"{log_head.seq} (entries deleted)")
    if signed is None:
        if keyring is not None and trail:
            return ("trail has entries but no signed head (its head was deleted, or the trail "
                    "predates the feed key)")
        return None
    if keyring is not None and (bad := check_checkpoint(signed, keyring)) is not None:
        return f"signed head: {bad}"
    seq, digest = signed["data"]["seq"], signed["data"]["hash"]
    if seq > len(trail):
        return f"trail ends at entry {len(trail)}, before its signed head {seq} (entries deleted)"
    if seq < 1 or trail[seq - 1].hash != digest:
        return f"entry {seq} differs from the signed head (rewritten)"
    if keyring is not None and seq < len(trail):
        return f"entries {seq + 1}..{len(trail)} come after the signed head (unsigned)"
    if signed["data"]["source"] != f"alert-status:{trail[0].alert_id}":
        return "signed head belongs to another alert's trail"
    return None
