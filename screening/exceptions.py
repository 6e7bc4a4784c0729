"""False-positive exceptions: a supervisor's recorded ruling that one subject is not one
listed party, kept as a hash-chained log.

An exception ties a *subject* (a customer account, or a screened name's key) to the
stable list record of the party it was wrongly matched to — ``(source, list_id)``, never
a name, so a new edition that adds a *different* party still matches — with who decided,
why, until when (an expiry is required, at most a year: a ruling is re-examined, never
permanent) and when it is due for review. Screening turns a name match covered by an
exception in force into an ``allow`` reason naming the exception; it never drops it.

Listed *addresses* are never excepted: a sanctioned address always blocks, whoever
controls it, so such an exception is refused at creation.

Like a case, the log (``exceptions``) is the truth: ``created`` and ``revoked`` entries,
each hashing its content and the previous entry's hash; the current state is their fold
and :meth:`ExceptionBook.verify` proves the chain intact up to the store's head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from alerts.actors import DECIDERS, Actor, Forbidden
from screening.text import normalise
from txmon.errors import WorkflowError
from txmon.store.base import Store
from txmon.wire import dumps, entry_hash, loads

LOG = "exceptions"
SUBJECTS = frozenset({"customer", "name"})  # never "address": a listed address blocks
MAX_DAYS = 366  # "at most a year" (a leap year's)
DUE_DAYS = 14  # shown as due for review this many days before review_by


@dataclass(slots=True)
class FalsePositive:
    """One exception's state (the fold of its entries)."""

    id: str
    subject_kind: str
    subject: str
    source: str
    list_id: str
    reason: str
    author: str
    created: str
    expires: str
    review_by: str
    alert: str = ""
    revoked: dict[str, str] | None = None

    def state(self, today: dt.date) -> str:
        """active, due (active but its review date is near or past), expired or revoked."""
        if self.revoked:
            return "revoked"
        if today > dt.date.fromisoformat(self.expires):
            return "expired"
        if today >= dt.date.fromisoformat(self.review_by) - dt.timedelta(days=DUE_DAYS):
            return "due"
        return "active"

    def to_wire(self, today: dt.date | None = None) -> dict[str, Any]:
        wire = asdict(self)
        if today is not None:
            wire["state"] = self.state(today)
        return wire


def subject_key(kind: str, subject: str) -> str:
    """A name subject is matched by its normalised form (case, spacing, script marks)."""
    if kind == "name":
        return " ".join(normalise(subject))  # the matcher's own tokens
    return subject.strip()


class ExceptionBook:
    """Create, revoke and look up exceptions on any Store backend."""

    def __init__(self, store: Store,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._store = store
        self._clock = clock

    def today(self) -> dt.date:
        return self._clock().astimezone(dt.UTC).date()

    def entries(self) -> list[dict[str, Any]]:
        return [loads(raw) for _, raw in self._store.read_log(LOG)]

    def all(self) -> list[FalsePositive]:
        """Every exception, oldest first."""
        found: dict[str, FalsePositive] = {}
        for entry in self.entries():
            data = entry["data"]
            if entry["kind"] == "created":
                found[data["id"]] = FalsePositive(**data, author=entry["by"], created=entry["at"])
            elif entry["kind"] == "revoked" and data["id"] in found:
                found[data["id"]].revoked = {"by": entry["by"], "at": entry["at"],
                                             "reason": data["reason"]}
        return list(found.values())

    def get(self, exception_id: str) -> FalsePositive:
        for exc in self.all():
            if exc.id == exception_id:
                return exc
        raise WorkflowError(f"no exception {exception_id}")

    def covering(self, kind: str, subject: str, source: str, list_id: str,
                 among: list[FalsePositive] | None = None,
                 ) -> tuple[FalsePositive | None, FalsePositive | None]:
        """(the exception in force, the latest one that lapsed) for this subject and party;
        ``among`` is :meth:`all` read once by a caller checking several matches."""
        key, today = subject_key(kind, subject), self.today()
        live = lapsed = None
        for exc in self.all() if among is None else among:
            if (exc.subject_kind, exc.subject, exc.source, exc.list_id) != (
                    kind, key, source, list_id):
                continue
            if exc.state(today) in ("active", "due"):
                live = exc
            else:
                lapsed = exc
        return live, lapsed

    def create(self, kind: str, subject: str, source: str, list_id: str, reason: str,
               expires: dt.date, review_by: dt.date, user: Actor,
               alert: str = "") -> FalsePositive:
        if user.role not in DECIDERS:
            raise Forbidden(f"role {user.role} may not record a false-positive exception "
                            "(a supervisor's or admin's decision)")
        if kind == "address":
            raise WorkflowError("a listed address always blocks: a sanctioned-address hit "
                                "cannot be excepted, only a name match can")
        if kind not in SUBJECTS:
            raise WorkflowError(f"unknown subject kind {kind!r}; one of customer, name")
        key = subject_key(kind, subject)
        if not key or not source.strip() or not list_id.strip():
            raise WorkflowError("an exception needs a subject and the listed party's "
                                "source and list id")
        if not reason.strip():
            raise WorkflowError("an exception needs a reason")
        today = self.today()
        if not today < expires <= today + dt.timedelta(days=MAX_DAYS):
            raise WorkflowError(f"expiry {expires} must be after today ({today}) and at "
                                "most a year away")
        if not today <= review_by <= expires:
            raise WorkflowError(f"review date {review_by} must be between today and the "
                                f"expiry {expires}")
        if self.covering(kind, key, source, list_id)[0] is not None:
            raise WorkflowError(f"{kind} {key} already has an exception in force for "
                                f"{source} {list_id}")
        number = self._store.log_head(LOG).seq + 1
        exception_id = f"FP-{number:06d}"
        data: dict[str, Any] = {"id": exception_id, "subject_kind": kind, "subject": key,
                "source": source.strip(), "list_id": list_id.strip(),
                "reason": reason.strip(), "expires": expires.isoformat(),
                "review_by": review_by.isoformat(), "alert": alert, "revoked": None}
        self._append("created", user, data)
        return self.get(exception_id)

    def revoke(self, exception_id: str, reason: str, user: Actor) -> FalsePositive:
        if user.role not in DECIDERS:
            raise Forbidden(f"role {user.role} may not revoke an exception")
        exc = self.get(exception_id)
        if exc.revoked:
            raise WorkflowError(f"exception {exception_id} is already revoked")
        if not reason.strip():
            raise WorkflowError("revoking an exception needs a reason")
        self._append("revoked", user, {"id": exception_id, "reason": reason.strip()})
        return self.get(exception_id)

    def _append(self, kind: str, user: Actor, data: dict[str, Any]) -> None:
        head = self._store.log_head(LOG)
        at = self._clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            entry = {"seq": seq, "kind": kind, "by": user.name, "role": user.role, "at": at,
                     "data": data, "prevhash": prev_hash}
            digest = entry_hash(entry)
            entry["hash"] = digest
            return dumps(entry), digest

        result = self._store.append_chained(LOG, f"after:{head.seq}", build)
        if not result.created or result.seq != head.seq + 1:
            raise WorkflowError("exceptions changed concurrently by someone else; retry")

    def verify(self) -> str | None:
        """None when the log is intact and reaches the store's head."""
        prev, entries = "", self.entries()
        for n, entry in enumerate(entries, start=1):
            if entry.get("seq") != n or entry.get("prevhash") != prev:
                return f"entry {n} missing, out of order or unlinked"
            if entry.get("hash") != entry_hash(entry):
                return f"entry {n} was edited (hash mismatch)"
            prev = entry["hash"]
        head = self._store.log_head(LOG)
        if head.seq != len(entries) or (entries and head.hash != prev):
            return f"log ends at entry {len(entries)} but the store's head is {head.seq}"
        return None
