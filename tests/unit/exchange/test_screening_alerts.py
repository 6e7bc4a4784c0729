"""Customer and travel-rule counterparty matches from the exchange feed become alerts,
and a list edition that changes only names (the UN list has no addresses) re-screens the
stored customers — on the real UN and OFAC excerpts of tests/data/screening."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from alerts.reports.fields import build
from alerts.store import AlertStore
from enrich.index import TagIndex
from enrich.sources import loader
from enrich.tagstore import TagStore
from screening.alerting import COUNTERPARTY_RULE, CUSTOMER_RULE
from screening.confirmations import ConfirmationLog
from screening.customers import LATEST, CustomerScreening
from screening.exceptions import ExceptionBook
from screening.service import ScreeningService
from tests.unit.exchange.helpers import ingest
from tests.unit.exchange.stream import event
from tests.unit.screening.conftest import COMMENTS, DATA
from txmon.bus.embedded import EmbeddedBus
from txmon.store.sqlite import SqliteStore
from txmon.wire import dumps, loads

TOPICS = {"events": "txmon.exchange.events", "tags": "txmon.tags.updates",
          "transfers": "txmon.transfers", "dead": "txmon.deadletter", "group": "txmon-exchange"}
UN = DATA / "un" / "UN_consolidated_excerpt.xml"
BADEGE = {"type": "natural", "names": [{"full": "Eric Badege"}], "dob": "1971-04-02",
          "nationality": ["CD"]}


def un_without(tmp_path: Path, reference: str = "CDi.001") -> Path:
    """The UN edition of a week earlier, before ``reference`` (CDi.001: Eric BADEGE) was on
    it."""
    text = UN.read_text("utf-8")
    pattern = rf"<INDIVIDUAL>(?:(?!</INDIVIDUAL>).)*?{re.escape(reference)}.*?</INDIVIDUAL>"
    text = re.sub(pattern, "", text, count=1, flags=re.S)
    assert reference not in text
    text = text.replace('dateGenerated="2026-02-27', 'dateGenerated="2026-02-20')
    path = tmp_path / "un-old.xml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def setup(tmp_path: Path):
    bus = EmbeddedBus(tmp_path / "bus.db")
    store = SqliteStore(tmp_path / "s.db")
    tag_store = TagStore(store, producer=bus.producer(), topic=TOPICS["tags"])
    tag_store.load(loader("ofac-csv").load([DATA / "ofac/sdn.csv", DATA / "ofac/alt.csv",
                                            COMMENTS]), "ofac-csv", dt.date(2024, 5, 3))
    tag_store.load(loader("un-xml").load([un_without(tmp_path)]), "un-xml")
    service = ScreeningService(store, TagIndex(tag_store),
                               clock=lambda: dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    alerts = AlertStore(store)
    worker = ingest(bus, store, TOPICS, bus.producer(), CustomerScreening(service, alerts))
    yield bus, store, tag_store, alerts, worker
    store.close()


def _send(bus: EmbeddedBus, topic: str, body: dict[str, object]) -> None:
    producer = bus.producer()
    producer.send(topic, dumps(body), key=b"k")
    producer.flush()


def test_a_names_only_edition_rescreens_and_raises_one_alert(setup) -> None:
    bus, store, tag_store, alerts, worker = setup
    opened = event(1, "account.opened", "A-9", customer=BADEGE)
    _send(bus, TOPICS["events"], opened)
    worker.run(idle_exit=0.3, timeout=0.1)
    assert loads(store.get(LATEST + "A-9"))["decision"] == "allow"
    assert list(alerts.alerts()) == []
    before = worker.counts.rescreens  # the setup's own two list loads were announced too

    delta = tag_store.load(loader("un-xml").load([UN]), "un-xml")  # adds CDi.001, no address
    assert (delta.added, delta.removed, delta.names_changed) == ((), (), 1)
    worker.run(idle_exit=0.3, timeout=0.1)
    assert worker.counts.rescreens == before + 1
    assert loads(store.get(LATEST + "A-9"))["decision"] == "block"
    [alert] = list(alerts.alerts())
    assert (alert.rule, alert.severity, alert.transfer_id) == (
        CUSTOMER_RULE, "critical", "customer:A-9")
    [party] = alert.evidence["parties"]
    assert (party["source"], party["list_id"], party["outcome"]) == ("un-sc", "CDi.001", "block")
    assert alert.list_version == tag_store.head().sources["un-sc"]
    record = alert.evidence["confirmation"]
    assert record["id"] == f"customer:A-9:lists-{tag_store.head().seq}"

    _send(bus, TOPICS["events"], opened)  # redelivered account event, and the list update
    tag_store.publish_pending_deltas()
    _send(bus, TOPICS["tags"], {"type": "tags.version", "source": "un-sc",
                                "version": delta.version, "published": "2026-02-27",
                                "names_changed": 1})
    worker.run(idle_exit=0.3, timeout=0.1)
    assert worker.counts.rescreens == before + 2
    assert [a.id for a in alerts.alerts()] == [alert.id]


def test_a_counterparty_match_is_one_alert_for_request_and_send(setup) -> None:
    bus, _store, _tags, alerts, worker = setup
    rule = {"beneficiary": {"beneficiaryPersons": [{"legalPerson": {"name": {
        "nameIdentifier": [{"legalPersonName": "Garantex Europe OU",
                            "legalPersonNameIdentifierType": "LEGL"}]}}}]},
        "beneficiaryVASP": {"name": "Garantex", "country": "EE"}}
    common = {"withdrawal_id": "W-77", "amount": "250000000000", "value_jpy": "37500000",
              "asset": {"chain": "ethereum", "symbol": "USDT", "decimals": 6,
                        "contract": "0xdAC17F958D2ee523a2206206994597C13D831ec7"},
              "to_address": "0x8589427373D6D84E98730D7795D8f6f8731FDA16", "travel_rule": rule}
    requested = event(2, "withdrawal.requested", "A-1", **common)
    for body in (requested, requested):  # redelivered
        _send(bus, TOPICS["events"], body)
    worker.run(idle_exit=0.3, timeout=0.1)
    [alert] = list(alerts.alerts())
    assert (alert.rule, alert.transfer_id, alert.amount, alert.asset) == (
        COUNTERPARTY_RULE, "exchange:wd-W-77:0", 250_000_000_000, "USDT")
    assert alert.evidence["parties"][0]["list_id"] == "36025"
    assert alert.evidence["names"] == ["Garantex Europe OU"]
    assert alert.evidence["value_jpy"] == "37500000"
    assert alert.evidence["confirmation"]["id"] == "travel:exchange:wd-W-77:0:pending"
    [(_, stored)] = list(alerts.events())
    report = build(alert, stored, "mof", None, "Example Exchange K.K.", None,
                   dt.date(2026, 3, 2))
    [party] = report.parties
    assert (party.name, party.source, party.list_id, party.matched) == (
        "GARANTEX EUROPE OU", "ofac-sdn", "36025", "GARANTEX EUROPE OU")
    assert (report.action, report.transfer["value_jpy"], report.transfer["amount"]) == (
        "rejected", "37500000", "250000 USDT")
    assert report.alert["confirmation"] == "travel:exchange:wd-W-77:0:pending"


def test_a_name_exception_covers_the_counterparty(setup) -> None:
    """A supervisor's false-positive exception for the name and its listed record (OFAC
    36025) turns the travel-rule match into an allow reason: no alert, transfer unmarked."""
    bus, store, _tags, alerts, worker = setup
    book = ExceptionBook(store, lambda: dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    book.create("name", "Garantex Europe OU", "ofac-sdn", "36025", "test ruling",
                dt.date(2026, 4, 1), dt.date(2026, 3, 15), _Boss())
    rule = {"beneficiary": {"beneficiaryPersons": [{"legalPerson": {"name": {
        "nameIdentifier": [{"legalPersonName": "Garantex Europe OU",
                            "legalPersonNameIdentifierType": "LEGL"}]}}}]},
        "beneficiaryVASP": {"name": "Garantex", "country": "EE"}}
    _send(bus, TOPICS["events"], event(
        2, "withdrawal.requested", "A-1", withdrawal_id="W-78", amount="1000000",
        asset={"chain": "ethereum", "symbol": "USDT", "decimals": 6,
               "contract": "0xdAC17F958D2ee523a2206206994597C13D831ec7"},
        to_address="0x8589427373D6D84E98730D7795D8f6f8731FDA16", travel_rule=rule))
    worker.run(idle_exit=0.3, timeout=0.1)
    assert list(alerts.alerts()) == []
    [record] = [e for e in ConfirmationLog(store).entries() if e["kind"] == "counterparty"]
    [reason] = record["reasons"]
    assert (reason["code"], reason["evidence"]["exception"]["id"]) == ("exception", "FP-000001")


class _Boss:
    name, role = "sato", "supervisor"
