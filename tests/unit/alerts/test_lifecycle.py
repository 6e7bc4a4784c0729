"""A reorg reaches the feed: the alert on a retracted transfer gets a ``retracted`` event.

The engine runs on the embedded bus and store (its own product backends; the same flow on
real geth, Kafka and Redis is tests/integration/test_reorg_geth.py). The transfers are the
ones the follower publishes in a reorg: confirmed, then a ``retracted`` copy, then the new
branch.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from click.testing import CliRunner

from alerts.feed import RETRACTED_TYPE, verify_events
from alerts.lifecycle import AlertLifecycle
from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import ALICE, BOB, TORNADO, WEI, DictLookup, tornado_tag, transfer
from txmon.bus.base import ALERTS, TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.cli.main import main
from txmon.engine import Engine
from txmon.models import Transfer, TransferStatus
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore
from txmon.wire import encode_transfer, loads

SOURCE_TO_A = transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 10 * WEI)])
A_TO_B = transfer(3, [(ALICE, 4 * WEI)], [(BOB, 4 * WEI)])


def retracted(t: Transfer) -> Transfer:
    return dataclasses.replace(t, status=TransferStatus.RETRACTED)


def run_engine(bus: EmbeddedBus, store: SqliteStore, transfers: list[Transfer]) -> Engine:
    producer = bus.producer()
    for t in transfers:
        producer.send(TRANSFERS, encode_transfer(t), key=b"ethereum")
    producer.flush()
    alerts = AlertStore(store)
    engine = Engine(
        consumer=bus.consumer([TRANSFERS], "engine"), producer=producer,
        enricher=Enricher(DictLookup([tornado_tag(TORNADO)])),
        rules=RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"), store=store),
        alerts=alerts, publisher=FeedPublisher(alerts, bus, producer, ALERTS),
        transfers_topic=TRANSFERS, lifecycle=AlertLifecycle(store, alerts))
    engine.run(idle_exit=0.3)
    return engine


def topic_events(bus: EmbeddedBus) -> list[dict]:
    consumer = bus.consumer([ALERTS], "inspector")
    return [loads(m.value) for m in consumer.poll(timeout=0.2, max_records=10_000)]


def test_reorg_retracts_the_alert_on_the_feed_and_raises_no_false_alert(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bus, store = EmbeddedBus(tmp_path / "bus.db"), SqliteStore(data / "store.sqlite")
    first = run_engine(bus, store, [SOURCE_TO_A])
    [direct] = first.stats.new_alerts
    assert direct.rule == "sanctions-direct"
    orphan = retracted(SOURCE_TO_A)
    second = run_engine(bus, store, [orphan, A_TO_B])
    assert second.stats.new_alerts == []  # no 2-hop alert from the undone taint
    assert second.stats.alerts_retracted == 1
    third = run_engine(bus, store, [orphan])  # redelivered retraction: a no-op
    assert third.stats.alerts_retracted == 0

    events = topic_events(bus)
    assert verify_events(events) == 2
    assert [(e["type"], e["subject"]) for e in events] == [
        ("io.txmon.alert.v1", SOURCE_TO_A.id), (RETRACTED_TYPE, direct.id)]
    assert events[1]["data"] == {
        "alert_id": direct.id, "transfer_id": SOURCE_TO_A.id,
        "reason": "the transfer's block left the canonical chain (reorg)",
        "block": SOURCE_TO_A.block_number, "block_hash": SOURCE_TO_A.block_hash}
    assert [a.id for a in AlertStore(store).alerts()] == [direct.id]  # not rewritten
    store.close()

    runner = CliRunner()
    listed = runner.invoke(main, ["--data-dir", str(data), "alerts", "list"])
    assert listed.exit_code == 0, listed.output
    assert (f"RETRACTED: block {SOURCE_TO_A.block_number} {SOURCE_TO_A.block_hash} — the "
            "transfer's block left the canonical chain (reorg)") in listed.stdout
    as_json = runner.invoke(main, ["--data-dir", str(data), "alerts", "list", "--json"])
    [row] = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [e["type"] for e in row["lifecycle"]] == [RETRACTED_TYPE]


def test_a_re_mined_transfer_re_includes_its_alert(tmp_path: Path) -> None:
    bus, store = EmbeddedBus(tmp_path / "bus.db"), SqliteStore(tmp_path / "s.db")
    again = dataclasses.replace(SOURCE_TO_A, block_number=15_000_002,
                                block_hash=f"0x{15_000_002:064x}")
    engine = run_engine(bus, store, [SOURCE_TO_A, retracted(SOURCE_TO_A), again, A_TO_B])
    assert [a.rule for a in engine.stats.new_alerts] == ["sanctions-direct",
                                                         "sanctions-indirect"]
    events = topic_events(bus)
    assert verify_events(events) == 4
    assert [e["type"].split(".")[-2] for e in events] == [
        "alert", "retracted", "reincluded", "alert"]
    assert events[2]["data"]["block_hash"] == again.block_hash
    store.close()
