"""False-positive exceptions in screening: a supervisor's exception for a customer and one
listed record turns that match into an ``exception`` allow reason (no new alert) until it
expires, and then the match alerts again — on the real OFAC SDN excerpt (44718 SEMENOV,
Roman) of tests/data/screening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alerts.cases import Forbidden
from alerts.store import AlertStore
from enrich.index import TagIndex
from enrich.tagstore import TagStore
from ingest.exchange.mapping import effects
from screening.alerting import CUSTOMER_RULE
from screening.customers import CustomerScreening
from screening.matcher import NameQuery
from screening.service import ScreeningService
from tests.unit.screening.conftest import load_lists
from txmon.errors import WorkflowError
from txmon.store.sqlite import SqliteStore

DAY = dt.date(2026, 11, 29)


@dataclass
class Who:
    name: str
    role: str


BOSS, ANALYST = Who("sato", "supervisor"), Who("tanaka", "analyst")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ScreeningService, AlertStore, Clock]]:
    store = SqliteStore(tmp_path / "s.db")
    tag_store = TagStore(store)
    load_lists(tag_store)
    clock = Clock()
    service = ScreeningService(store, TagIndex(tag_store), clock=clock)
    store.put_many(effects({
        "v": 1, "id": "e1", "type": "account.opened", "time": "2026-11-01T00:00:00Z",
        "account": "A-8", "customer": {"type": "natural", "nationality": ["RU"],
                                       "names": [{"full": "Roman Semenov", "kind": "latin"}]}
    }).items)
    yield service, AlertStore(store), clock
    store.close()


def test_exception_allows_until_expiry_then_alerts_again(world) -> None:
    service, alerts, clock = world
    screening = CustomerScreening(service, alerts)
    first = screening.customer("A-8", "e1")
    assert first["decision"] == "block"
    [alert] = list(alerts.alerts())
    assert alert.rule == CUSTOMER_RULE
    assert alert.evidence["parties"][0]["list_id"] == "44718"

    exc = service.exceptions.create("customer", "A-8", "ofac-sdn", "44718",
                                    "KYC passport: different person", DAY + dt.timedelta(30),
                                    DAY + dt.timedelta(20), BOSS, alert=alert.id)
    assert (exc.id, exc.author, exc.state(DAY)) == ("FP-000001", "sato", "active")

    again = screening.customer("A-8", "e2")
    assert again["decision"] == "allow"
    [reason] = [r for r in again["reasons"] if r["evidence"].get("list_id") == "44718"]
    assert (reason["code"], reason["outcome"]) == ("exception", "allow")
    assert reason["evidence"]["exception"]["id"] == "FP-000001"
    assert reason["evidence"]["exception"]["author"] == "sato"
    assert reason["evidence"]["overridden"] == "block"
    assert "FP-000001" in reason["detail"] and "2026-12-29" in reason["detail"]
    assert [a.id for a in alerts.alerts()] == [alert.id]  # no new alert

    clock.now += dt.timedelta(days=31)  # past the expiry
    assert service.exceptions.get("FP-000001").state(clock.now.date()) == "expired"
    lapsed = screening.customer("A-8", "e3")
    assert lapsed["decision"] == "block"
    assert lapsed["reasons"][0]["evidence"]["lapsed_exception"] == "FP-000001"
    ids = [a.id for a in alerts.alerts()]
    assert len(ids) == 2 and ids[0] == alert.id  # a new alert after the exception ended
    assert service.exceptions.verify() is None


def test_an_exception_covers_only_its_party_and_subject(world) -> None:
    service, _alerts, _clock = world
    service.exceptions.create("customer", "A-9", "ofac-sdn", "44718", "other customer",
                              DAY + dt.timedelta(30), DAY + dt.timedelta(10), BOSS)
    service.exceptions.create("customer", "A-8", "ofac-sdn", "1", "other party",
                              DAY + dt.timedelta(30), DAY + dt.timedelta(10), BOSS)
    assert service.screen_customer("A-8", record=False)["decision"] == "block"


def test_a_name_exception_and_revocation(world) -> None:
    service, _alerts, _clock = world
    query = NameQuery("Roman Semenov", None, "RU")
    assert service.screen_name(query, record=False)["decision"] == "block"
    exc = service.exceptions.create("name", "  ROMAN  semenov ", "ofac-sdn", "44718",
                                    "known namesake", DAY + dt.timedelta(5), DAY, BOSS)
    assert exc.state(DAY) == "due"  # review date today
    answer = service.screen_name(query, record=False)
    assert (answer["decision"], answer["reasons"][0]["code"]) == ("allow", "exception")
    with pytest.raises(Forbidden):
        service.exceptions.revoke(exc.id, "wrong", ANALYST)
    service.exceptions.revoke(exc.id, "new evidence: same person", BOSS)
    assert service.exceptions.get(exc.id).state(DAY) == "revoked"
    assert service.screen_name(query, record=False)["decision"] == "block"


def test_refusals(world) -> None:
    service, _alerts, _clock = world
    book, far, soon = service.exceptions, DAY + dt.timedelta(400), DAY + dt.timedelta(9)
    with pytest.raises(Forbidden, match="analyst may not"):
        book.create("customer", "A-8", "ofac-sdn", "44718", "r", soon, soon, ANALYST)
    with pytest.raises(WorkflowError, match="listed address always blocks"):
        book.create("address", "0x8589427373D6D84E98730D7795D8f6f8731FDA16", "ofac-sdn",
                    "36025", "r", soon, soon, BOSS)
    with pytest.raises(WorkflowError, match="at most a year"):
        book.create("customer", "A-8", "ofac-sdn", "44718", "r", far, soon, BOSS)
    with pytest.raises(WorkflowError, match="review date"):
        book.create("customer", "A-8", "ofac-sdn", "44718", "r", soon, DAY - dt.timedelta(1),
                    BOSS)
    with pytest.raises(WorkflowError, match="needs a reason"):
        book.create("customer", "A-8", "ofac-sdn", "44718", " ", soon, soon, BOSS)
    book.create("customer", "A-8", "ofac-sdn", "44718", "r", soon, soon, BOSS)
    with pytest.raises(WorkflowError, match="already has an exception in force"):
        book.create("customer", "A-8", "ofac-sdn", "44718", "r", soon, soon, BOSS)
    assert len(book.all()) == 1  # nothing written by a refusal


def test_verify_detects_an_edited_or_cut_log(world, tmp_path: Path) -> None:
    service, _alerts, _clock = world
    book = service.exceptions
    book.create("customer", "A-8", "ofac-sdn", "44718", "r", DAY + dt.timedelta(9),
                DAY + dt.timedelta(9), BOSS)
    book.revoke("FP-000001", "reviewed", BOSS)
    assert book.verify() is None
    entries = book.entries()
    extended = [dict(e) for e in entries]
    extended[0] = {**extended[0], "data": {**extended[0]["data"], "expires": "2027-11-29"}}
    book.entries = lambda: extended
    assert book.verify() == "entry 1 was edited (hash mismatch)"
    book.entries = lambda: entries[:1]
    assert book.verify() == "log ends at entry 1 but the store's head is 2"
