"""The bus interface: topics of keyed byte messages with consumer groups.

Lifecycle of a producer: ``send`` (buffers) → ``flush`` (blocks until every message
sent so far is acknowledged, raising :class:`txmon.errors.DeliveryError` otherwise) →
``close``. A caller advances its checkpoint only after ``flush`` returned: a crash then
re-sends, never loses (deterministic ids make re-sending harmless downstream).

Lifecycle of a consumer: ``poll`` → process and *store the effects* → ``commit`` the
polled messages → … → ``close``. Committing after the effects are stored means a crash
replays the uncommitted messages, and the stores' idempotent writes absorb them.

Two backends: Kafka (:mod:`txmon.bus.kafka`) and embedded (:mod:`txmon.bus.embedded`,
a durable SQLite log under the data dir). Both pass ``tests/conformance/test_bus_conformance.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

TRANSFERS = "txmon.transfers"
ALERTS = "txmon.alerts"
DEADLETTER = "txmon.deadletter"
TAG_UPDATES = "txmon.tags.updates"
EXCHANGE_EVENTS = "txmon.exchange.events"
ALL_TOPICS = (TRANSFERS, ALERTS, DEADLETTER, TAG_UPDATES, EXCHANGE_EVENTS)


@dataclass(frozen=True, slots=True)
class Message:
    """A message as consumed, with its coordinates (needed for dead letters)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = field(default=())


class Producer(ABC):
    """Sends keyed messages; messages with the same key stay in order."""

    @abstractmethod
    def send(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        """Queue one message. Errors may surface here or at the next ``flush``."""

    @abstractmethod
    def flush(self, timeout: float = 30.0) -> None:
        """Block until all queued messages are acknowledged; raise DeliveryError if not."""

    @abstractmethod
    def close(self) -> None:
        """Flush and release the connection."""


class Consumer(ABC):
    """Reads topics as a member of a consumer group."""

    @abstractmethod
    def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        """Next messages after the group's committed position (may be empty)."""

    @abstractmethod
    def commit(self, messages: Sequence[Message]) -> None:
        """Mark ``messages`` (and everything before them per partition) as processed."""

    @abstractmethod
    def rewind(self, messages: Sequence[Message]) -> None:
        """Deliver ``messages`` again from the next ``poll`` (a batch that failed midway).

        Partitions this member no longer owns are skipped: their new owner starts from
        the committed offset, which is before them.
        """

    def assigned(self) -> bool:
        """True once the group gave this member its partitions (always, without groups)."""
        return True

    @abstractmethod
    def lag(self) -> int:
        """Messages not yet consumed by this group, summed over assigned partitions."""

    @abstractmethod
    def close(self) -> None:
        """Leave the group. Uncommitted messages will be delivered again."""


class Bus(ABC):
    """Factory for producers and consumers of one backend."""

    name: str

    @abstractmethod
    def producer(self) -> Producer:
        """A new producer."""

    @abstractmethod
    def consumer(self, topics: Sequence[str], group: str,
                 instance_id: str | None = None) -> Consumer:
        """A new consumer of ``topics`` in consumer group ``group``.

        ``instance_id`` makes it a static member (Kafka KIP-345): restarted with the same
        id, it gets its partitions back at once instead of after the session timeout.
        """

    @abstractmethod
    def last_message(self, topic: str) -> Message | None:
        """The newest message of a single-partition topic (the alert feed's checkpoint)."""

    @abstractmethod
    def read_back(self, topic: str) -> Iterator[Message]:
        """Messages of a single-partition topic, newest first (the feed publisher walks
        back from the tail past foreign messages to the last genuine one)."""

    @abstractmethod
    def ping(self) -> None:
        """Raise BackendUnavailable if the bus cannot be reached."""

    @abstractmethod
    def close(self) -> None:
        """Release shared resources."""
