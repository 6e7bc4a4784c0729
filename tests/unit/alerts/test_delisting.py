"""Delistings reach open alerts: OFAC's removal of Tornado Cash (2025-03-21) on real data.

Lists: the real 2024-05-03 SDN.CSV (seeds/ofac/, Tornado Cash is entity 39796) and the
real designations file seeds/designations.yaml, whose Tornado Cash entry carries
``delisted: 2025-03-21`` (OFAC Recent Actions 20250321). The deployment first runs with
that file as it stood before the delisting (the same entry without ``delisted``), raises
alerts on 2024 flows to and from Tornado Cash, then receives the current file: the engine
appends a ``delisted`` event on every alert still open that rests on Tornado Cash —
direct matches and exposure sources — and on none other, and a note in its audit trail;
nothing is deleted and no status changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from alerts.delisting import AlertDelistings
from alerts.feed import DELISTED_TYPE, EVENT_TYPE, verify_events
from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from alerts.workflow import AlertWorkflow
from enrich.designations import Designations
from enrich.enricher import Enricher
from enrich.index import TagIndex
from enrich.sources import loader
from enrich.tagstore import TagStore
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import ALICE, BOB, CAROL, DAVE, TORNADO_PROXY, WEI, transfer
from txmon.bus.base import ALERTS, TAG_UPDATES, TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.cli.main import main
from txmon.engine import Engine
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore
from txmon.wire import encode_transfer

OFAC = SEEDS_DIR / "ofac"
TORNADO_LIST_ID = "39796"
# Roman Semenov (entity 44718, Tornado Cash co-founder) in the same SDN.CSV: stays listed.
OTHER_LISTED = "0xdcbeffbecce100cce9e4b153c4e15cb885643193"
DAY = dt.datetime(2024, 6, 10, 12, tzinfo=dt.UTC)  # Semenov listed 2023-08-23


def before_the_delisting() -> Designations:
    """seeds/designations.yaml as it stood before 2025-03-21: Tornado Cash not delisted."""
    real = Designations.load(SEEDS_DIR / "designations.yaml")
    [tornado] = [e for e in real.entries if e.list_id == TORNADO_LIST_ID]
    assert tornado.delisted == dt.date(2025, 3, 21) and "20250321" in tornado.citation
    return Designations([dataclasses.replace(e, delisted=None) if e is tornado else e
                         for e in real.entries])


def engine(bus: EmbeddedBus, store: SqliteStore, index: TagIndex) -> Engine:
    producer = bus.producer()
    alerts = AlertStore(store)
    return Engine(consumer=bus.consumer([TRANSFERS, TAG_UPDATES], "engine"),
                  producer=producer, enricher=Enricher(index),
                  rules=RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"), store=store),
                  alerts=alerts, publisher=FeedPublisher(alerts, bus, producer, ALERTS),
                  transfers_topic=TRANSFERS, on_control=lambda _m: index.refresh(),
                  delistings=AlertDelistings(alerts, AlertWorkflow(store, alerts)))


def test_tornado_cash_delisting_flags_the_open_alerts_resting_on_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, bus = SqliteStore(data / "store.sqlite"), EmbeddedBus(tmp_path / "bus.db")
    tags = TagStore(store, producer=bus.producer(), topic=TAG_UPDATES)
    tags.load(loader("ofac-csv").load([
        OFAC / "sdn-csv-2024-05-03" / "sdn.csv", OFAC / "legacy-csv-2025-01" / "sdn_comments.csv",
        OFAC / "legacy-csv-2025-01" / "alt.csv"]), "ofac-csv", dt.date(2024, 5, 3))
    assert tags.set_designations(before_the_delisting()) == []  # nothing delisted yet
    index = TagIndex(tags)
    flows = [transfer(1, [(ALICE, 3 * WEI)], [(TORNADO_PROXY, 3 * WEI)], when=DAY),
             transfer(2, [(TORNADO_PROXY, 5 * WEI)], [(BOB, 5 * WEI)], when=DAY),
             transfer(3, [(BOB, 5 * WEI)], [(CAROL, 5 * WEI)], when=DAY),  # 2 hops
             transfer(4, [(DAVE, WEI)], [(TORNADO_PROXY, WEI)], when=DAY),  # to be dismissed
             transfer(5, [(ALICE, WEI)], [(OTHER_LISTED, WEI)], when=DAY)]  # Semenov
    producer = bus.producer()
    for t in flows:
        producer.send(TRANSFERS, encode_transfer(t), key=b"ethereum")
    producer.flush()
    raised = engine(bus, store, index).run(idle_exit=0.3).new_alerts
    assert [(a.rule, a.transfer_id) for a in raised] == [
        ("sanctions-direct", flows[0].id), ("sanctions-direct", flows[1].id),
        ("sanctions-indirect", flows[2].id), ("sanctions-direct", flows[3].id),
        ("sanctions-direct", flows[4].id)]
    workflow = AlertWorkflow(store, AlertStore(store))
    workflow.change(raised[0].id, "investigating", "ana", "looking at the depositor")
    workflow.change(raised[3].id, "investigating", "ana", "small amount")
    workflow.change(raised[3].id, "dismissed", "ana", "test deposit, reported already")

    # the new release's designations file: the real one, Tornado Cash delisted 2025-03-21
    real = Designations.load(SEEDS_DIR / "designations.yaml")
    [delta] = tags.set_designations(real)
    assert (delta.source, delta.published) == ("ofac-sdn", dt.date(2025, 3, 21))
    assert TORNADO_PROXY in delta.removed and OTHER_LISTED not in delta.removed
    assert delta.parties[TORNADO_PROXY] == "TORNADO CASH"
    assert tags.publish_pending_deltas() == 1
    stats = engine(bus, store, index).run(idle_exit=0.3)
    assert stats.alerts_delisted == 3 and stats.new_alerts == []

    alert_store = AlertStore(store)
    events = [e for _, e in alert_store.events()]
    assert verify_events(events) == 8
    assert [e["type"] for e in events[:5]] == [EVENT_TYPE] * 5  # every alert still there
    flagged = [e for e in events if e["type"] == DELISTED_TYPE]
    assert [e["subject"] for e in flagged] == [raised[0].id, raised[1].id, raised[2].id]
    assert flagged[0]["data"] == {
        "alert_id": raised[0].id, "address": TORNADO_PROXY, "party": "TORNADO CASH",
        "source": "ofac-sdn", "delisted_on": "2025-03-21",
        "edition": "ofac-sdn@2025-03-21#designations"}
    assert flagged[2]["data"]["party"] == "TORNADO CASH"  # exposure source: from the update
    assert workflow.status(raised[0].id) == "investigating"  # status untouched
    trail = workflow.history(raised[0].id)
    assert [(c.previous, c.status, c.by) for c in trail] == [
        ("open", "investigating", "ana"), ("investigating", "investigating", "txmon")]
    assert trail[-1].reason.startswith("TORNADO CASH delisted by ofac-sdn on 2025-03-21")
    assert len(workflow.history(raised[3].id)) == 2  # dismissed: no event, no note

    # the same update again (redelivery, a second load of the same file): nothing new
    tags.set_designations(before_the_delisting())
    tags.set_designations(real)
    tags.publish_pending_deltas()
    assert engine(bus, store, index).run(idle_exit=0.3).alerts_delisted == 0
    assert alert_store.count() == 8
    assert len(workflow.history(raised[0].id)) == 2  # no second note either
    workflow.change(raised[0].id, "escalated", "ana", "reported: it was listed on its date")
    store.close()

    runner = CliRunner()
    listed = runner.invoke(main, ["--data-dir", str(data), "alerts", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.count("delisted 2025-03-21: " + TORNADO_PROXY) == 3
    history = runner.invoke(main, ["--data-dir", str(data), "alerts", "history", raised[1].id])
    assert history.exit_code == 0, history.output
    assert "txmon: note — TORNADO CASH delisted by ofac-sdn on 2025-03-21" in history.stdout
    assert "status open" in history.stderr
    rows = [json.loads(line) for line in runner.invoke(
        main, ["--data-dir", str(data), "alerts", "list", "--json"]).stdout.splitlines()]
    assert [bool(r.get("lifecycle")) for r in rows] == [True, True, True, False, False]
