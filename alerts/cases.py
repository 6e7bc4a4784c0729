"""Cases: one investigation over one or more alerts, kept as a hash-chained audit trail.

A case is nothing but its trail (log ``case:<id>``): the first entry opens it with its
alerts, every later entry is an action — assign, comment, a status change with its
reason and evidence, a four-eyes request and its confirmation. The case's state is the
fold of its entries (:func:`fold`), so nothing is updated in place and the trail *is* the
case. Each entry's hash covers its content and the previous entry's hash; :func:`verify`
proves the trail intact and complete up to the store's own head.

Status workflow::

    open → investigating → escalated → frozen | held | released | dismissed
    (investigating may also be released or dismissed directly; held → frozen | released)

Decisions (frozen, held, released, dismissed) are a supervisor's or admin's. Releasing or
dismissing a case that holds a *critical* alert needs four eyes: the first supervisor's
request is recorded as ``approval-requested`` and the status changes only when a
*different* supervisor confirms it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alerts import activity
from alerts.actors import DECIDERS, WORKERS, Actor, Forbidden
from alerts.workflow import AlertWorkflow, Status
from txmon.errors import WorkflowError
from txmon.store.base import Store
from txmon.wire import dumps, entry_hash, loads

CASES_LOG = "cases"
FLOW: dict[str, frozenset[str]] = {
    "open": frozenset({"investigating", "dismissed"}),
    "investigating": frozenset({"escalated", "released", "dismissed"}),
    "escalated": frozenset({"frozen", "held", "released", "dismissed"}),
    "held": frozenset({"frozen", "released"}),
    "frozen": frozenset(), "released": frozenset(), "dismissed": frozenset(),
}
DECISIONS = frozenset({"frozen", "held", "released", "dismissed"})
FOUR_EYES = frozenset({"released", "dismissed"})


@dataclass(slots=True)
class Case:
    """A case's state: the fold of its trail."""

    id: str
    title: str
    alerts: list[str]
    critical: bool
    opened_by: str
    opened_at: str
    status: str = "open"
    assignee: str = ""
    pending: dict[str, Any] | None = None  # a four-eyes request awaiting its confirmation
    decision: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "alerts": self.alerts,
                "critical": self.critical, "opened_by": self.opened_by,
                "opened_at": self.opened_at, "status": self.status, "assignee": self.assignee,
                "pending": self.pending, "decision": self.decision, "entries": self.entries}


def fold(case_id: str, entries: list[dict[str, Any]]) -> Case:
    """The case state after ``entries`` (oldest first; the first one opens the case)."""
    first = entries[0]["data"]
    case = Case(id=case_id, title=first["title"], alerts=list(first["alerts"]),
                critical=bool(first["critical"]), opened_by=entries[0]["by"],
                opened_at=entries[0]["at"], entries=entries)
    for entry in entries[1:]:
        kind, data = entry["kind"], entry["data"]
        if kind == "assigned":
            case.assignee = data["to"]
        elif kind == "approval-requested":
            case.pending = {"to": data["to"], "by": entry["by"], "at": entry["at"],
                            "reason": data["reason"], "evidence": data.get("evidence", "")}
        elif kind == "status":
            case.status = data["to"]
            case.pending = None
            if data["to"] in DECISIONS:
                case.decision = {"status": data["to"], "by": entry["by"], "at": entry["at"],
                                 "reason": data["reason"], "evidence": data.get("evidence", ""),
                                 "approved_by": data.get("approved_by", "")}
    return case


class CaseBook:
    """Open, act on and read cases on any Store backend."""

    def __init__(self, store: Store, workflow: AlertWorkflow,
                 severity_of: Callable[[str], str | None],
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._store = store
        self._workflow = workflow
        self._severity_of = severity_of  # alert id → severity, None when no such alert
        self._clock = clock

    def _at(self) -> str:
        return self._clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ids(self) -> list[str]:
        """Every case id, oldest first."""
        return [loads(raw)["id"] for _, raw in self._store.read_log(CASES_LOG)]

    def entries(self, case_id: str) -> list[dict[str, Any]]:
        return [loads(raw) for _, raw in self._store.read_log(f"case:{case_id}")]

    def get(self, case_id: str) -> Case:
        entries = self.entries(case_id)
        if not entries:
            raise WorkflowError(f"no case {case_id}")
        return fold(case_id, entries)

    def all(self) -> list[Case]:
        return [self.get(case_id) for case_id in self.ids()]

    def open(self, alert_ids: list[str], title: str, reason: str, user: Actor) -> Case:
        """Open a case over ``alert_ids``; their open alerts move to investigating."""
        _need(user, WORKERS, "open a case")
        ids = list(dict.fromkeys(a for a in alert_ids if a))
        if not ids:
            raise WorkflowError("a case needs at least one alert")
        severities = {a: self._severity_of(a) for a in ids}
        if missing := [a for a, s in severities.items() if s is None]:
            raise WorkflowError(f"no stored alert with id {missing[0]}")
        number = self._store.append_chained(
            CASES_LOG, uuid.uuid4().hex, lambda seq, _prev: (
                dumps({"id": f"C-{seq:06d}", "seq": seq}), f"C-{seq:06d}")).seq
        case_id = f"C-{number:06d}"
        self._append(case_id, "opened", user, {
            "title": title.strip() or f"Case over {len(ids)} alert(s)", "alerts": ids,
            "critical": "critical" in severities.values(), "reason": reason})
        for alert_id in ids:
            activity.record(self._store, alert_id, "case", case_id, user.name, self._at())
            if self._workflow.status(alert_id) is Status.OPEN:
                self._workflow.change(alert_id, Status.INVESTIGATING, user.name,
                                      f"case {case_id} opened: {reason or title}")
        return self.get(case_id)

    def assign(self, case_id: str, to: str, user: Actor) -> Case:
        _need(user, WORKERS, "assign a case")
        self._require_open(case_id)
        self._append(case_id, "assigned", user, {"to": to.strip()})
        return self.get(case_id)

    def comment(self, case_id: str, text: str, user: Actor) -> Case:
        _need(user, WORKERS, "comment on a case")
        if not text.strip():
            raise WorkflowError("a comment needs text")
        self.get(case_id)
        self._append(case_id, "comment", user, {"text": text.strip()})
        return self.get(case_id)

    def move(self, case_id: str, to: str, reason: str, user: Actor, evidence: str = "") -> Case:
        """Change the status, or record a four-eyes request when a second person must
        confirm; ``to`` equal to a pending request's target by another supervisor confirms."""
        case = self._require_open(case_id)
        if to not in FLOW:
            raise WorkflowError(f"unknown case status {to!r}; one of {', '.join(FLOW)}")
        if to not in FLOW[case.status]:
            allowed = ", ".join(sorted(FLOW[case.status])) or "none (final)"
            raise WorkflowError(f"case {case_id}: cannot go from {case.status} to {to} "
                                f"(allowed: {allowed})")
        _need(user, DECIDERS if to in DECISIONS else WORKERS, f"move a case to {to}")
        if not reason.strip():
            raise WorkflowError("a status change needs a reason")
        data = {"from": case.status, "to": to, "reason": reason.strip(),
                "evidence": evidence.strip()}
        if to in FOUR_EYES and case.critical:
            pending = case.pending
            if pending is None or pending["to"] != to:
                self._append(case_id, "approval-requested", user, data)
                return self.get(case_id)
            if pending["by"] == user.name:
                raise Forbidden(f"four-eyes: {to} of a critical case must be confirmed by a "
                                f"second supervisor, not by {user.name} who asked for it")
            data["approved_by"] = pending["by"]
            data["evidence"] = data["evidence"] or pending.get("evidence", "")
        self._append(case_id, "status", user, data)
        return self.get(case_id)

    def _require_open(self, case_id: str) -> Case:
        case = self.get(case_id)
        if not FLOW[case.status]:
            raise WorkflowError(f"case {case_id} is {case.status}: closed")
        return case

    def _append(self, case_id: str, kind: str, user: Actor, data: dict[str, Any]) -> None:
        log = f"case:{case_id}"
        head = self._store.log_head(log)
        at = self._at()

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            entry = {"case": case_id, "seq": seq, "kind": kind, "by": user.name,
                     "role": user.role, "at": at, "data": data, "prevhash": prev_hash}
            digest = entry_hash(entry)
            entry["hash"] = digest
            return dumps(entry), digest

        result = self._store.append_chained(log, f"after:{head.seq}", build)
        if not result.created or result.seq != head.seq + 1:
            raise WorkflowError(f"case {case_id}: changed concurrently by someone else; "
                                "look again and retry")

    def verify(self, case_id: str) -> str | None:
        """None when the case's trail is intact and reaches the store's head."""
        entries = self.entries(case_id)
        prev = ""
        for n, entry in enumerate(entries, start=1):
            if entry.get("seq") != n:
                return f"entry {n} missing or out of order"
            if entry.get("prevhash") != prev:
                return f"entry {n} does not link to entry {n - 1}"
            if entry.get("hash") != entry_hash(entry):
                return f"entry {n} was edited (hash mismatch)"
            prev = entry["hash"]
        head = self._store.log_head(f"case:{case_id}")
        if head.seq != len(entries) or (entries and head.hash != prev):
            return f"trail ends at entry {len(entries)} but the store's head is {head.seq}"
        return None


def _need(user: Actor, roles: frozenset[str], what: str) -> None:
    if user.role not in roles:
        raise Forbidden(f"role {user.role} may not {what}")
