"""The engine on the embedded bus and store: alerts, dead letters, crash recovery."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from alerts.feed import verify_events
from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.history import TransferHistory
from rules.retro import RetroactiveScanner
from rules.rulebook import load_rulebook
from tests.pipeline_scenario import (
    DEPOSITOR,
    TEN_ETH,
    TORNADO_PROXY,
    DictLookup,
    scenario,
    tornado_tag,
    transfer,
)
from txmon.bus.base import ALERTS, DEADLETTER, TRANSFERS, Bus
from txmon.bus.embedded import EmbeddedBus
from txmon.customers import Accounts, address_items
from txmon.engine import Engine
from txmon.models import Asset, Leg
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore
from txmon.wire import encode_transfer, loads


def build_engine(bus: Bus, store: SqliteStore, as_of: dt.date | None = None,
                 account_for: Callable[[str], str | None] | None = None) -> Engine:
    producer = bus.producer()
    alerts = AlertStore(store)
    return Engine(
        consumer=bus.consumer([TRANSFERS], "engine"),
        producer=producer,
        enricher=Enricher(DictLookup([tornado_tag()])),
        rules=RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml")),
        alerts=alerts,
        publisher=FeedPublisher(alerts, bus, producer, ALERTS),
        transfers_topic=TRANSFERS,
        as_of=as_of,
        account_for=account_for,
    )


def publish(bus: Bus, payloads: list[bytes]) -> None:
    producer = bus.producer()
    for payload in payloads:
        producer.send(TRANSFERS, payload, key=b"ethereum")
    producer.flush()


def topic_values(bus: EmbeddedBus, topic: str) -> list[bytes]:
    consumer = bus.consumer([topic], "inspector")
    return [m.value for m in consumer.poll(timeout=0.2, max_records=10_000)]


@pytest.fixture
def bus(tmp_path: Path) -> EmbeddedBus:
    return EmbeddedBus(tmp_path / "bus.sqlite")


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "store.sqlite")


def test_sanctioned_deposit_raises_one_alert_with_evidence(bus: EmbeddedBus,
                                                            store: SqliteStore) -> None:
    publish(bus, [encode_transfer(t) for t in scenario()])
    stats = build_engine(bus, store).run(idle_exit=0.3)
    assert stats.transfers == 2
    [alert] = stats.new_alerts
    assert alert.rule == "sanctions-direct"
    assert alert.addresses == (TORNADO_PROXY,)
    assert alert.amount == TEN_ETH
    match = alert.evidence["matches"][0]
    assert match["side"] == "output"
    assert match["tags"][0]["entity"] == "TORNADO CASH"
    assert match["tags"][0]["programs"] == ["CYBER2", "DPRK3"]
    events = [loads(v) for v in topic_values(bus, ALERTS)]
    assert [e["id"] for e in events] == [alert.id]
    assert verify_events(events) == 1


def test_point_in_time_before_designation_raises_nothing(bus: EmbeddedBus,
                                                         store: SqliteStore) -> None:
    publish(bus, [encode_transfer(t) for t in scenario()])
    stats = build_engine(bus, store, as_of=dt.date(2022, 8, 7)).run(idle_exit=0.3)
    assert stats.transfers == 2 and stats.new_alerts == []


def test_bad_message_goes_to_dead_letter_and_processing_continues(bus: EmbeddedBus,
                                                                   store: SqliteStore) -> None:
    good = [encode_transfer(t) for t in scenario()]
    publish(bus, [b"{not json", good[0], b'{"chain": "ethereum"}', good[1]])
    stats = build_engine(bus, store).run(idle_exit=0.3)
    assert (stats.transfers, stats.dead_letters, len(stats.new_alerts)) == (2, 2, 1)
    consumer = bus.consumer([DEADLETTER], "inspector")
    dead = consumer.poll(timeout=0.2)
    assert [m.value for m in dead] == [b"{not json", b'{"chain": "ethereum"}']
    headers = dict(dead[0].headers)
    assert headers["reason"].startswith(b"not JSON")
    assert headers["source.offset"] == b"0"


class Crash(Exception):
    """Stands for the process being killed at a chosen point."""


@pytest.mark.parametrize("crash_point", ["before_publish", "before_commit"])
def test_crash_after_store_still_one_alert_on_topic(bus: EmbeddedBus, store: SqliteStore,
                                                    crash_point: str) -> None:
    publish(bus, [encode_transfer(t) for t in scenario()])
    first = build_engine(bus, store)
    target = first._publisher if crash_point == "before_publish" else first._consumer
    method = "publish_pending" if crash_point == "before_publish" else "commit"

    def boom(*_: object) -> None:
        raise Crash

    setattr(target, method, boom)
    with pytest.raises(Crash):
        first.process_batch(first._consumer.poll(timeout=0.5))
    assert AlertStore(store).count() == 1  # stored before the crash

    restarted = build_engine(bus, store).run(idle_exit=0.3)
    assert restarted.transfers == 2  # the uncommitted batch was delivered again
    assert restarted.new_alerts == [] and restarted.alerts_seen == 1
    events = [loads(v) for v in topic_values(bus, ALERTS)]
    assert len(events) == 1 and verify_events(events) == 1


def test_alert_names_the_exchange_account_behind_an_address(bus: EmbeddedBus,
                                                           store: SqliteStore) -> None:
    store.put_many(address_items("acct-42", DEPOSITOR))  # as the exchange feed assigns it
    publish(bus, [encode_transfer(t) for t in scenario()])
    stats = build_engine(bus, store, account_for=Accounts(store).account_for).run(idle_exit=0.3)
    [alert] = stats.new_alerts
    assert alert.evidence["accounts"] == {DEPOSITOR: "acct-42"}


def test_uint256_token_amount_beyond_64_bits_alerts_instead_of_crashing(
        bus: EmbeddedBus, store: SqliteStore) -> None:
    """10^31 units of an 18-decimal token overflow CEL's int64 unless saturated."""
    base = scenario()[0]
    token = Asset("ethereum", "SHIB", 18, "0x95ad61b0a150d79219dcf64e1e6cc01f0b64c4ce")
    amount = 10**31
    transfer = dataclasses.replace(base, asset=token, index=1_000_000,
                                   inputs=(Leg(base.inputs[0].address, amount),),
                                   outputs=(Leg(TORNADO_PROXY, amount),))
    publish(bus, [encode_transfer(transfer)])
    stats = build_engine(bus, store).run(idle_exit=0.3)
    assert stats.dead_letters == 0
    [alert] = stats.new_alerts
    assert alert.amount == amount and alert.asset == "SHIB"


def test_flow_seen_after_its_counterparty_was_designated_is_alerted_retroactively(
        bus: EmbeddedBus, store: SqliteStore) -> None:
    """A 2022-01-10 deposit into Tornado Cash, processed with a list that designates
    Tornado Cash from 2022-08-08 (engine lag, a replay of old blocks): not an alert as of
    its block date, but a retroactive one as of the designation date."""
    early = transfer("0x" + "33" * 32, DEPOSITOR, TORNADO_PROXY, TEN_ETH, dt.date(2022, 1, 10))
    publish(bus, [encode_transfer(early)])
    engine = build_engine(bus, store)
    rules = RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"))
    engine._retro = RetroactiveScanner(TransferHistory(store), DictLookup([tornado_tag()]),
                                       rules)
    [alert] = engine.run(idle_exit=0.3).new_alerts
    assert alert.retroactive and alert.rule == "sanctions-direct"
    assert alert.as_of == dt.date(2022, 8, 8)
    assert alert.evidence["retroactive"]["newly_listed"] == [TORNADO_PROXY]
