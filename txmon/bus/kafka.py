"""Kafka bus on kafka-python: idempotent producer, manual commits, classic groups.

kafka-python defaults to ``acks=all`` with the idempotent producer; we set both
explicitly because the checkpoint-after-delivery contract depends on them. Consumers
never auto-commit: the engine commits only after a record's effects are stored.
kafka-python does not implement the KIP-848 group protocol; the classic protocol works
with Kafka 4.x.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from txmon.bus.base import ALERTS, Bus, Consumer, Message, Producer
from txmon.errors import BackendUnavailable, DeliveryError

# The alert feed is one partition so that its sequence is a total order a regulator can
# verify; every other topic is keyed (by chain, by account) and can have more.
_SINGLE_PARTITION_TOPICS = (ALERTS,)


def _servers(url: str) -> list[str]:
    """``kafka://h1:9092,h2:9092`` → ``["h1:9092", "h2:9092"]``."""
    return url.removeprefix("kafka://").split(",")


class KafkaBusProducer(Producer):
    """Wraps KafkaProducer and remembers every future until ``flush`` checked it."""

    def __init__(self, servers: list[str]) -> None:
        try:
            self._producer = KafkaProducer(
                bootstrap_servers=servers,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                retries=5,
                max_in_flight_requests_per_connection=5,
            )
        except KafkaError as exc:
            raise BackendUnavailable(f"Kafka at {','.join(servers)} is unreachable") from exc
        self._futures: list[Any] = []

    def send(self, topic: str, value: bytes, key: bytes | None = None,
             headers: Sequence[tuple[str, bytes]] = ()) -> None:
        try:
            future = self._producer.send(topic, value=value, key=key, headers=list(headers))
        except KafkaError as exc:
            raise DeliveryError(f"send to {topic} failed: {exc}") from exc
        self._futures.append(future)

    def flush(self, timeout: float = 30.0) -> None:
        try:
            self._producer.flush(timeout=timeout)
        except KafkaError as exc:
            raise DeliveryError(f"flush failed: {exc}") from exc
        futures, self._futures = self._futures, []
        failed = [f for f in futures if not f.is_done or f.failed()]
        if failed:
            reason = failed[0].exception if failed[0].is_done else "not acknowledged in time"
            raise DeliveryError(f"{len(failed)} of {len(futures)} messages not delivered: {reason}")

    def close(self) -> None:
        self.flush()
        self._producer.close()


class KafkaBusConsumer(Consumer):
    """Wraps KafkaConsumer with manual commits of exactly the messages processed."""

    def __init__(self, servers: list[str], topics: Sequence[str], group: str) -> None:
        try:
            self._consumer = KafkaConsumer(
                *topics,
                bootstrap_servers=servers,
                group_id=group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
        except KafkaError as exc:
            raise BackendUnavailable(f"Kafka at {','.join(servers)} is unreachable") from exc

    def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        batches = self._consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        out = [
            Message(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
            for records in batches.values()
            for r in records
        ]
        out.sort(key=lambda m: (m.topic, m.partition, m.offset))
        return out

    def commit(self, messages: Sequence[Message]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for msg in messages:
            tp = TopicPartition(msg.topic, msg.partition)
            offsets[tp] = max(offsets.get(tp, -1), msg.offset)
        if offsets:
            self._consumer.commit(
                {tp: OffsetAndMetadata(off + 1, "", -1) for tp, off in offsets.items()}
            )

    def lag(self) -> int:
        assigned = list(self._consumer.assignment())
        if not assigned:
            return 0
        ends = self._consumer.end_offsets(assigned)
        return sum(max(0, ends[tp] - self._consumer.position(tp)) for tp in assigned)

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class KafkaBus(Bus):
    """Bus on a Kafka cluster given as ``kafka://host:port[,host:port]``."""

    name = "kafka"

    def __init__(self, url: str, partitions: int = 3) -> None:
        self.url = url
        self._servers = _servers(url)
        self._partitions = partitions
        self._ensured: set[str] = set()
        self.ping()

    def _admin(self) -> KafkaAdminClient:
        try:
            return KafkaAdminClient(bootstrap_servers=self._servers, request_timeout_ms=10_000)
        except KafkaError as exc:
            raise BackendUnavailable(f"Kafka at {self.url} is unreachable: {exc}") from exc

    def ping(self) -> None:
        self._admin().close()

    def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create topics with the partitioning the design needs (idempotent)."""
        admin = self._admin()
        try:
            for topic in topics:
                parts = 1 if topic.endswith(_SINGLE_PARTITION_TOPICS) else self._partitions
                if topic in self._ensured:
                    continue
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics([NewTopic(topic, parts, 1)])
                self._ensured.add(topic)
        finally:
            admin.close()

    def producer(self) -> Producer:
        return KafkaBusProducer(self._servers)

    def consumer(self, topics: Sequence[str], group: str) -> Consumer:
        return KafkaBusConsumer(self._servers, topics, group)

    def last_message(self, topic: str) -> Message | None:
        consumer = KafkaConsumer(bootstrap_servers=self._servers, enable_auto_commit=False)
        try:
            tp = TopicPartition(topic, 0)
            if not consumer.partitions_for_topic(topic):
                return None
            consumer.assign([tp])
            end = consumer.end_offsets([tp])[tp]
            if end == 0:
                return None
            consumer.seek(tp, end - 1)
            for _ in range(20):
                for records in consumer.poll(timeout_ms=500).values():
                    r = records[-1]
                    return Message(r.topic, r.partition, r.offset, r.key, r.value)
            raise BackendUnavailable(f"could not read the last message of {topic}")
        finally:
            consumer.close()

    def read_back(self, topic: str, chunk: int = 200) -> Iterator[Message]:
        consumer = KafkaConsumer(bootstrap_servers=self._servers, enable_auto_commit=False)
        try:
            tp = TopicPartition(topic, 0)
            if not consumer.partitions_for_topic(topic):
                return
            consumer.assign([tp])
            low = consumer.beginning_offsets([tp])[tp]
            end = consumer.end_offsets([tp])[tp]
            while end > low:
                start = max(low, end - chunk)
                consumer.seek(tp, start)
                got: list[Message] = []
                for _ in range(40):  # up to ~20 s for one chunk, then a clear error
                    for records in consumer.poll(timeout_ms=500).values():
                        got += [Message(r.topic, r.partition, r.offset, r.key, r.value,
                                        tuple(r.headers or ())) for r in records
                                if r.offset < end]
                    if consumer.position(tp) >= end:
                        break
                else:
                    raise BackendUnavailable(f"could not read {topic} back from offset {end}")
                yield from sorted(got, key=lambda m: m.offset, reverse=True)
                end = start
        finally:
            consumer.close()

    def close(self) -> None:
        """Producers and consumers own their connections; nothing shared to release."""
