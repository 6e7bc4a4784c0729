"""Cases: the status workflow, roles, four-eyes on critical alerts, and the audit trail."""

from __future__ import annotations

import pytest

from alerts.cases import CaseBook, Forbidden
from alerts.queue import AlertQueue
from alerts.workflow import AlertWorkflow, Status
from screening.auth import User
from tests.unit.console.conftest import DIRECT, TWO_HOPS
from txmon.app import App
from txmon.errors import WorkflowError

ALICE = User("alice", "analyst")
SAM = User("sam", "supervisor")
SOFIA = User("sofia", "supervisor")
RITA = User("rita", "regulator")


def _book(app: App) -> tuple[CaseBook, AlertWorkflow]:
    queue = AlertQueue(app.store, app.alert_store)
    workflow = AlertWorkflow(app.store, app.alert_store)
    return CaseBook(app.store, workflow,
                    lambda a: r.severity if (r := queue.get(a)) else None), workflow


def test_critical_release_needs_a_second_supervisor(demo_app: App) -> None:
    book, workflow = _book(demo_app)
    case = book.open([DIRECT, TWO_HOPS], "Potekhin flows", "two alerts, one source", ALICE)
    assert (case.id, case.critical, case.status) == ("C-000001", True, "open")
    assert workflow.status(DIRECT) is Status.INVESTIGATING  # its alerts are now worked on
    book.assign(case.id, "alice", ALICE)
    book.comment(case.id, "same source address as the 2020 designation", ALICE)
    book.move(case.id, "investigating", "collecting KYC", ALICE)
    book.move(case.id, "escalated", "sanctioned source confirmed", ALICE)
    with pytest.raises(Forbidden, match="role analyst may not move a case to released"):
        book.move(case.id, "released", "funds not the customer's", ALICE)
    asked = book.move(case.id, "released", "MOF permit on file", SAM, "permit 2021-0042")
    assert asked.status == "escalated" and asked.pending["by"] == "sam"
    with pytest.raises(Forbidden, match="second supervisor"):
        book.move(case.id, "released", "confirming my own request", SAM)
    done = book.move(case.id, "released", "permit checked", SOFIA)
    assert done.status == "released"
    assert done.decision == {"status": "released", "by": "sofia", "at": done.decision["at"],
                             "reason": "permit checked", "evidence": "permit 2021-0042",
                             "approved_by": "sam"}
    assert [e["kind"] for e in done.entries] == [
        "opened", "assigned", "comment", "status", "status", "approval-requested", "status"]
    assert book.verify(case.id) is None
    with pytest.raises(WorkflowError, match="closed"):
        book.assign(case.id, "alice", ALICE)


def test_non_critical_case_is_decided_by_one_supervisor(demo_app: App) -> None:
    book, _ = _book(demo_app)
    case = book.open([TWO_HOPS], "", "", ALICE)
    assert not case.critical and case.title == "Case over 1 alert(s)"
    book.move(case.id, "investigating", "start", ALICE)
    assert book.move(case.id, "dismissed", "exchange hot wallet", SAM).status == "dismissed"


def test_refusals(demo_app: App) -> None:
    book, _ = _book(demo_app)
    with pytest.raises(Forbidden, match="role regulator may not open a case"):
        book.open([DIRECT], "t", "r", RITA)
    with pytest.raises(WorkflowError, match="no stored alert with id 00000000"):
        book.open(["00000000"], "t", "r", ALICE)
    case = book.open([DIRECT], "t", "r", ALICE)
    with pytest.raises(WorkflowError, match="cannot go from open to frozen"):
        book.move(case.id, "frozen", "too early", SAM)
    with pytest.raises(WorkflowError, match="needs a reason"):
        book.move(case.id, "investigating", " ", ALICE)


def test_an_edited_or_cut_trail_is_reported(demo_app: App,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    book, _ = _book(demo_app)
    case = book.open([DIRECT], "t", "r", ALICE)
    book.comment(case.id, "original words", ALICE)
    stored = book.entries(case.id)
    edited = [dict(e) for e in stored]
    edited[1] = {**edited[1], "data": {"text": "rewritten words"}}
    monkeypatch.setattr(book, "entries", lambda _id: edited)
    assert book.verify(case.id) == "entry 2 was edited (hash mismatch)"
    monkeypatch.setattr(book, "entries", lambda _id: stored[:1])  # the last entry deleted
    assert book.verify(case.id) == "trail ends at entry 1 but the store's head is 2"
