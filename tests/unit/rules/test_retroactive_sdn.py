"""End to end on the embedded bus: the 2022-03-15 SDN.CSV, flows, then the 2024-05-03 one.

Tornado Cash (``0x722122df…6967``) is not in the 2022-03-15 SDN.CSV and is in the
2024-05-03 one (files in seeds/ofac/, provenance in seeds/ofac/PROVENANCE.md). A flow to it
processed while only the old list was loaded raises nothing; the new version's delta on
``txmon.tags.updates`` then raises a retroactive alert. A later delisting rewrites nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alerts.feed import verify_events
from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from enrich.index import TagIndex
from enrich.sources import loader
from enrich.tagstore import TagStore
from enrich.tagupdates import publish_delta
from enrich.tagversions import Delta
from rules.engine import RuleEngine
from rules.history import TransferHistory
from rules.retro import RetroactiveScanner
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import ALICE, BOB, TORNADO_PROXY, WEI, transfer
from txmon.bus.base import ALERTS, TAG_UPDATES, TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.engine import Engine
from txmon.store.sqlite import SqliteStore
from txmon.wire import encode_transfer

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
OFAC = SEEDS / "ofac"


def _engine(bus: EmbeddedBus, store: SqliteStore, index: TagIndex) -> Engine:
    producer = bus.producer()
    alerts = AlertStore(store)
    rules = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store)
    history = TransferHistory(store)
    return Engine(consumer=bus.consumer([TRANSFERS, TAG_UPDATES], "engine"),
                  producer=producer, enricher=Enricher(index), rules=rules, alerts=alerts,
                  publisher=FeedPublisher(alerts, bus, producer, ALERTS),
                  transfers_topic=TRANSFERS, on_control=lambda _m: index.refresh(),
                  history=history, retro=RetroactiveScanner(history, index, rules))


def test_retroactive_alert_after_the_2024_sdn_csv(tmp_path: Path) -> None:
    store, bus = SqliteStore(tmp_path / "s.db"), EmbeddedBus(tmp_path / "bus.db")
    tags = TagStore(store)
    first = loader("ofac-csv", allow_truncated_remarks=True)  # no 2022 SDN_COMMENTS.CSV
    tags.load(first.load([OFAC / "sdn-csv-2022-03-15" / "sdn.csv"]), "ofac-csv",
              dt.date(2022, 3, 15))
    index = TagIndex(tags)
    producer = bus.producer()
    flow = transfer(1, [(ALICE, 3 * WEI)], [(TORNADO_PROXY, 3 * WEI)])
    other = transfer(2, [(ALICE, WEI)], [(BOB, WEI)])
    for t in (flow, other):
        producer.send(TRANSFERS, encode_transfer(t), key=b"ethereum")
    producer.flush()
    assert _engine(bus, store, index).run(idle_exit=0.3).alerts_new == 0

    delta = tags.load(loader("ofac-csv").load([
        OFAC / "sdn-csv-2024-05-03" / "sdn.csv", OFAC / "legacy-csv-2025-01" / "sdn_comments.csv",
        OFAC / "legacy-csv-2025-01" / "alt.csv"]), "ofac-csv", dt.date(2024, 5, 3))
    assert TORNADO_PROXY in delta.added
    publish_delta(producer, TAG_UPDATES, delta)
    stats = _engine(bus, store, index).run(idle_exit=0.3)
    [alert] = stats.new_alerts
    assert (alert.rule, alert.transfer_id, alert.addresses) == (
        "sanctions-direct", flow.id, (TORNADO_PROXY,))
    assert alert.retroactive and alert.list_version == delta.version
    assert alert.as_of == dt.date(2024, 5, 3)
    assert alert.evidence["retroactive"]["newly_listed"] == [TORNADO_PROXY]  # type: ignore[index]
    assert stats.alerts_retroactive == 1

    delisting = Delta("ofac-sdn", "ofac-sdn@2025-03-21#test", delta.version,
                      dt.date(2025, 3, 21), removed=(TORNADO_PROXY,))
    publish_delta(producer, TAG_UPDATES, delisting)
    assert _engine(bus, store, index).run(idle_exit=0.3).alerts_new == 0
    feed = [event for _, event in AlertStore(store).events()]
    assert verify_events(feed) == 1
    assert feed[0]["data"]["retroactive"] is True  # the old alert is untouched
    store.close()
    bus.close()


def test_retroactive_alert_after_the_mof_list_is_loaded(tmp_path: Path) -> None:
    """A flow to Sim Hyon Sop's Ethereum address (MOF notice 17-78, 2023-09-01) processed
    before any MOF edition was loaded alerts once the edition's delta arrives."""
    sim = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"
    store, bus = SqliteStore(tmp_path / "s.db"), EmbeddedBus(tmp_path / "bus.db")
    tags = TagStore(store)
    index = TagIndex(tags)
    producer = bus.producer()
    flow = transfer(1, [(ALICE, WEI)], [(sim, WEI)], when=dt.datetime(2023, 10, 2, tzinfo=dt.UTC))
    producer.send(TRANSFERS, encode_transfer(flow), key=b"ethereum")
    producer.flush()
    assert _engine(bus, store, index).run(idle_exit=0.3).alerts_new == 0
    excerpt = SEEDS.parent / "tests" / "data" / "mof" / "shisantouketsu20260305_excerpt.csv"
    delta = tags.load(loader("mof").load([excerpt]), "mof")
    assert sim in delta.added and delta.source == "jp-mof"
    publish_delta(producer, TAG_UPDATES, delta)
    [alert] = _engine(bus, store, index).run(idle_exit=0.3).new_alerts
    assert (alert.rule, alert.addresses, alert.retroactive, alert.list_version) == (
        "sanctions-direct", (sim,), True, delta.version)
    store.close()
    bus.close()
