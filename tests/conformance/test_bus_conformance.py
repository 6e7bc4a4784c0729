"""One conformance suite for the Bus interface: embedded and real Kafka.

Ordering per key, consumer groups resuming from committed offsets, redelivery of
uncommitted messages, headers and the last-message read used by the feed publisher.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from txmon.bus.base import Bus, Consumer, Message
from txmon.bus.embedded import EmbeddedBus
from txmon.bus.kafka import KafkaBus


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.integration)])
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    if request.param == "embedded":
        backend: Bus = EmbeddedBus(tmp_path / "bus.sqlite")
    else:
        backend = KafkaBus(request.getfixturevalue("kafka_url"))
    yield backend
    backend.close()


@pytest.fixture
def topic(namespace: str, bus: Bus) -> str:
    name = f"{namespace}.txmon.alerts"  # single partition: total order
    if isinstance(bus, KafkaBus):
        bus.ensure_topics([name])
    return name


def drain(consumer: Consumer, want: int, rounds: int = 40) -> list[Message]:
    got: list[Message] = []
    for _ in range(rounds):
        got += consumer.poll(timeout=0.5)
        if len(got) >= want:
            break
    return got


def test_produce_consume_in_order_with_headers(bus: Bus, topic: str, namespace: str) -> None:
    producer = bus.producer()
    for i in range(5):
        producer.send(topic, f"m{i}".encode(), key=b"ethereum", headers=[("n", str(i).encode())])
    producer.flush()
    consumer = bus.consumer([topic], f"{namespace}-g1")
    got = drain(consumer, 5)
    assert [m.value for m in got] == [b"m0", b"m1", b"m2", b"m3", b"m4"]
    assert got[2].key == b"ethereum"
    assert dict(got[3].headers)["n"] == b"3"
    consumer.close()
    producer.close()


def test_uncommitted_messages_are_redelivered(bus: Bus, topic: str, namespace: str) -> None:
    producer = bus.producer()
    for i in range(4):
        producer.send(topic, f"v{i}".encode(), key=b"k")
    producer.flush()
    group = f"{namespace}-g2"
    first = bus.consumer([topic], group)
    batch = drain(first, 4)
    first.commit(batch[:2])  # processed two, then "crashed"
    first.close()
    second = bus.consumer([topic], group)
    again = drain(second, 2)
    assert [m.value for m in again] == [b"v2", b"v3"]
    second.commit(again)
    second.close()
    third = bus.consumer([topic], group)
    assert third.poll(timeout=1.0) == []
    third.close()
    producer.close()


def test_last_message_reads_the_tail(bus: Bus, topic: str) -> None:
    assert bus.last_message(topic) is None
    producer = bus.producer()
    for i in range(3):
        producer.send(topic, f"e{i}".encode(), key=b"alerts")
    producer.flush()
    last = bus.last_message(topic)
    assert last is not None and last.value == b"e2"
    producer.close()


def test_read_back_walks_the_tail_newest_first(bus: Bus, topic: str) -> None:
    """The feed publisher walks back past foreign messages: every message, headers kept."""
    assert list(bus.read_back(topic)) == []
    producer = bus.producer()
    for i in range(450):  # more than one chunk of either backend
        producer.send(topic, f"e{i}".encode(), key=b"alerts", headers=[("n", str(i).encode())])
    producer.flush()
    back = list(bus.read_back(topic))
    assert [m.value for m in back] == [f"e{i}".encode() for i in reversed(range(450))]
    assert back[0].headers == (("n", b"449"),) and back[-1].offset == 0
    producer.close()
