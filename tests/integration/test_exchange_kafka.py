"""The exchange feed on real Kafka and Redis: 10,000 events with malformed ones among
them lose nothing and resume after a crash; customers are screened with confirmation
records in Redis. Each run has its own topic/key namespace and removes it afterwards."""

from __future__ import annotations

from collections import Counter

import pytest

from enrich.index import TagIndex
from enrich.tagstore import TagStore
from screening.customers import LATEST, CustomerScreening
from screening.service import ScreeningService
from tests.unit.exchange.helpers import FailingProducer, SimulatedCrash, ingest, read_all
from tests.unit.exchange.stream import build
from tests.unit.screening.conftest import load_lists
from txmon.app import App
from txmon.bus.base import DEADLETTER, EXCHANGE_EVENTS, TAG_UPDATES, TRANSFERS
from txmon.customers import account_for
from txmon.wire import decode_transfer, loads

pytestmark = pytest.mark.integration


@pytest.fixture
def app(live_app: App) -> App:
    return live_app


def test_ten_thousand_events_with_bad_ones_survive_a_crash(app: App) -> None:
    ns = app.settings.namespace
    topics = {"events": app.topic(EXCHANGE_EVENTS), "tags": app.topic(TAG_UPDATES),
              "transfers": app.topic(TRANSFERS), "dead": app.topic(DEADLETTER),
              "group": f"{ns}-exchange"}
    stream = build(10_000)
    producer = app.producer()
    for key, value in stream.messages:
        producer.send(topics["events"], value, key=key)
    producer.flush()

    tag_store = TagStore(app.store)
    load_lists(tag_store)
    service = ScreeningService(app.store, TagIndex(tag_store))
    crashing = ingest(app.bus, app.store, topics, FailingProducer(app.producer(), fail_at=3),
                      CustomerScreening(service))
    with pytest.raises(SimulatedCrash):
        crashing.run(idle_exit=10.0)
    crashing.close()  # the process died: its uncommitted batch goes to the next member
    resumed = ingest(app.bus, app.store, topics, app.producer(), CustomerScreening(service))
    resumed.run(idle_exit=10.0)
    resumed.close()

    transfers = read_all(app.bus, topics["transfers"], f"{ns}-check", idle_polls=3,
                         timeout=1.0, expect=len(stream.transfer_ids))
    assert {decode_transfer(m.value).id for m in transfers} == stream.transfer_ids
    dead = read_all(app.bus, topics["dead"], f"{ns}-check", idle_polls=3, timeout=1.0,
                    expect=len(stream.bad))
    coordinates = {(dict(m.headers)["source.partition"], dict(m.headers)["source.offset"])
                   for m in dead}
    assert len(coordinates) == len(stream.bad) == 103
    expected = Counter(stream.messages[n][1] for n in stream.bad)
    got = Counter(m.value for m in dead)
    # Original bytes, every bad message at least once. Dead letters are at-least-once: those
    # of the batch in flight when the producer failed may have reached the broker before
    # the failure and are sent again when the uncommitted batch is redelivered.
    assert set(got) == set(expected)
    assert all(got[value] >= count for value, count in expected.items())
    for address, account in stream.deposit_addresses.items():
        assert account_for(app.store, address) == account
    assert loads(app.store.get(LATEST + "A1"))["decision"] == "allow"
    assert app.store.log_head("screening").seq >= 50  # one confirmation per customer at least
