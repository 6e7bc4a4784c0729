"""Running the exchange consumer against any bus, and reading a topic back."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ingest.exchange.consumer import ExchangeIngest
from screening.customers import CustomerScreening
from txmon.bus.base import Bus, Message, Producer
from txmon.store.base import Store


class SimulatedCrash(Exception):
    """The process dies here: not a backend outage (nothing retries it), a kill."""


class FailingProducer(Producer):
    """Delegates, but crashes the process at the ``fail_at``-th flush: before the commit."""

    def __init__(self, inner: Producer, fail_at: int) -> None:
        self._inner = inner
        self._flushes = 0
        self._fail_at = fail_at

    def send(self, topic: str, value: bytes, key: bytes | None = None,
             headers: Sequence[tuple[str, bytes]] = ()) -> None:
        self._inner.send(topic, value, key, headers)

    def flush(self, timeout: float = 30.0) -> None:
        self._flushes += 1
        if self._flushes == self._fail_at:
            raise SimulatedCrash("killed during the flush, before the commit")
        self._inner.flush(timeout)

    def close(self) -> None:
        self._inner.close()


def ingest(bus: Bus, store: Store, topics: dict[str, str], producer: Producer,
           screening: CustomerScreening | None = None) -> ExchangeIngest:
    consumer = bus.consumer([topics["events"], topics["tags"]], topics["group"])
    return ExchangeIngest(consumer, producer, store, transfers_topic=topics["transfers"],
                          tag_updates_topic=topics["tags"], screening=screening,
                          deadletter_topic=topics["dead"])


def read_all(bus: Bus, topic: str, group: str, idle_polls: int = 2, timeout: float = 0.5,
             expect: int = 0, deadline: float = 60.0) -> list[Message]:
    """Every message of ``topic``: stop after ``idle_polls`` empty polls once ``expect``
    messages arrived (a Kafka group needs seconds to be assigned its partitions)."""
    consumer = bus.consumer([topic], group)
    out: list[Message] = []
    idle = 0
    end = time.monotonic() + deadline
    while (idle < idle_polls or len(out) < expect) and time.monotonic() < end:
        batch = consumer.poll(timeout=timeout, max_records=5000)
        idle = 0 if batch else idle + 1
        out.extend(batch)
    consumer.close()
    return out
