"""10,000 events with malformed ones among them: nothing lost, resumes after a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from enrich.index import TagIndex
from enrich.tagstore import TagStore
from ingest.exchange.consumer import ExchangeIngest
from screening.customers import LATEST, CustomerScreening
from screening.service import ScreeningService
from tests.unit.exchange.helpers import FailingProducer, SimulatedCrash, ingest, read_all
from tests.unit.exchange.stream import build, event
from tests.unit.screening.conftest import load_lists
from txmon.bus.embedded import EmbeddedBus
from txmon.customers import account_for
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer, dumps, loads

TOPICS = {"events": "txmon.exchange.events", "tags": "txmon.tags.updates",
          "transfers": "txmon.transfers", "dead": "txmon.deadletter", "group": "txmon-exchange"}


def test_stream_with_bad_messages_loses_nothing_and_resumes(tmp_path: Path) -> None:
    bus = EmbeddedBus(tmp_path / "bus.db")
    store = SqliteStore(tmp_path / "s.db")
    stream = build(10_000)
    producer = bus.producer()
    for key, value in stream.messages:
        producer.send(TOPICS["events"], value, key=key)
    producer.flush()

    crashing = ingest(bus, store, TOPICS, FailingProducer(bus.producer(), fail_at=4))
    with pytest.raises(SimulatedCrash):
        crashing.run(idle_exit=0.5, timeout=0.25)
    crashing.close()
    assert crashing.counts.events > 0  # three batches were done before the "crash"

    resumed = ingest(bus, store, TOPICS, bus.producer())
    resumed.run(idle_exit=0.5, timeout=0.25)

    transfers = read_all(bus, TOPICS["transfers"], "check")
    assert {decode_transfer(m.value).id for m in transfers} == stream.transfer_ids
    dead = read_all(bus, TOPICS["dead"], "check")
    dead_offsets = {int(dict(m.headers)["source.offset"]) for m in dead}
    assert dead_offsets == set(stream.bad)
    assert len(stream.bad) == 103
    assert all(dict(m.headers)["source.topic"] == TOPICS["events"].encode() for m in dead)
    assert {m.value for m in dead} >= {b"not json at all", b"[1, 2, 3]"}
    assert resumed.counts.dead + crashing.counts.dead >= 103
    for address, account in stream.deposit_addresses.items():
        assert account_for(store, address) == account
    store.close()


def test_customers_are_screened_and_rescreened_on_a_list_update(tmp_path: Path) -> None:
    bus = EmbeddedBus(tmp_path / "bus.db")
    store = SqliteStore(tmp_path / "s.db")
    tag_store = TagStore(store)
    load_lists(tag_store)
    service = ScreeningService(store, TagIndex(tag_store),
                               clock=lambda: dt.datetime(2026, 11, 29, tzinfo=dt.UTC))
    screening = CustomerScreening(service)
    producer = bus.producer()
    customers = {"A1": ("Семенов Роман", "1987-11-08"), "A2": ("Taro Yamada", "1980-01-01")}
    for n, (account, (name, dob)) in enumerate(customers.items()):
        body = event(n, "account.opened", account, customer={
            "type": "natural", "names": [{"full": name}], "dob": dob})
        producer.send(TOPICS["events"], dumps(body), key=account.encode())
    producer.flush()
    worker = ingest(bus, store, TOPICS, bus.producer(), screening)
    worker.run(idle_exit=0.5, timeout=0.25)
    assert loads(store.get(LATEST + "A1"))["decision"] == "block"
    assert loads(store.get(LATEST + "A2"))["decision"] == "allow"
    assert service.log.entries().__next__()["checked"] == {"customer": "A1"}

    producer.send(TOPICS["tags"], dumps({"type": "tags.version", "source": "ofac-sdn",
                                        "version": "v2", "published": "2026-11-30"}))
    producer.flush()
    worker.run(idle_exit=0.5, timeout=0.25)
    assert worker.counts.rescreens == 2
    assert [e["id"] for e in service.log.entries()][2:] == [
        f"customer:A1:lists-{tag_store.head().seq}", f"customer:A2:lists-{tag_store.head().seq}"]
    store.close()


def test_store_outage_is_ridden_out_without_loss(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Redis down for a few calls: the ingest waits and retries, never exits or skips."""
    from tests.unit.pipeline.test_engine_outage import Switch
    from txmon.metrics import Liveness

    bus = EmbeddedBus(tmp_path / "bus.db")
    stream = build(300)
    producer = bus.producer()
    for key, value in stream.messages:
        producer.send(TOPICS["events"], value, key=key)
    producer.flush()
    store = Switch(SqliteStore(tmp_path / "s.db"), ["put_many"], failures=3)
    liveness = Liveness("ingest-exchange", 120.0)
    seen_unhealthy: list[bool] = []
    consumer = bus.consumer([TOPICS["events"], TOPICS["tags"]], TOPICS["group"])
    worker = ExchangeIngest(consumer, bus.producer(), store, transfers_topic=TOPICS["transfers"],
                            tag_updates_topic=TOPICS["tags"], deadletter_topic=TOPICS["dead"],
                            liveness=liveness)

    def stop() -> bool:
        seen_unhealthy.append(not liveness.healthy())
        return False

    with caplog.at_level("WARNING"):
        counts = worker.run(stop=stop, idle_exit=0.5, timeout=0.1)
    worker.close()
    assert store.failed == 3 and any(seen_unhealthy) and liveness.healthy()
    assert "backend down" in caplog.text and "backend back" in caplog.text
    delivered = read_all(bus, TOPICS["transfers"], "check")
    ids = [decode_transfer(m.value).id for m in delivered]
    assert set(ids) == stream.transfer_ids and counts.transfers == len(ids)  # none lost, once
