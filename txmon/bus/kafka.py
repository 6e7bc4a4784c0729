"""Kafka bus on kafka-python: idempotent producer, manual commits, classic groups.

kafka-python defaults to ``acks=all`` with the idempotent producer; we set both
explicitly because the checkpoint-after-delivery contract depends on them. Consumers
never auto-commit: the engine commits only after a record's effects are stored.
kafka-python does not implement the KIP-848 group protocol; the classic protocol works
with Kafka 4.x.

Consumer calls turn kafka-python's exceptions into :class:`txmon.errors.BackendUnavailable`
(producer calls into :class:`txmon.errors.DeliveryError`), so that the engine's outage
handling catches the project's error family, never a library type. A group member's
session times out after ``SESSION_TIMEOUT_MS`` (kafka-python's default is 45 s): after a
SIGKILL the partitions of the dead member wait that long before a restarted engine gets
them, unless the engine runs with a static member id (``group_instance_id``, KIP-345),
which hands them to the restarted member at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import CommitFailedError, KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from txmon.bus.base import ALERTS, Bus, Consumer, Message, Producer
from txmon.errors import BackendUnavailable, DeliveryError, Rebalanced

SESSION_TIMEOUT_MS = 10_000  # dead member detected within 10 s (broker minimum is 6 s)
HEARTBEAT_INTERVAL_MS = 3_000  # a third of the session timeout, as Kafka recommends
BROKER_TIMEOUT_MS = 5_000  # lag queries and producer blocking: an outage surfaces within 5 s
# Fetch tuning. A chain's transfers share one key, so one partition of three holds the
# data and the others are empty. kafka-python sends one fetch per broker at a time and
# leaves out partitions whose records are still buffered, so after each data fetch the
# next request asks only for the empty partitions, which the broker holds for
# ``fetch_max_wait_ms`` (default 500 ms) before the data partition can be fetched again:
# 62 % of the engine's time was that wait. 20 ms makes the wait noise (a bare consumer
# goes from ~3.7k to 40-80k records/s here) at the cost of ~50 empty fetches/s, ~6 % of
# a core, while a consumer is idle (10 ms: ~11 %). Larger per-partition fetches mean
# fewer of those round trips per record; 4 MiB x 3 partitions bounds the buffer.
FETCH_MAX_WAIT_MS = 20
FETCH_MIN_BYTES = 1  # answer as soon as anything is there: latency over batching
MAX_PARTITION_FETCH_BYTES = 4 * 1024 * 1024
MAX_POLL_RECORDS = 2_000  # the engine asks for its own batch size per poll; this caps it

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
                # send() waits this long at most for metadata or buffer space (default
                # 60 s): a broker outage surfaces as an error within seconds, and the
                # engine retries its batch, instead of a stage that looks healthy while
                # blocked for a minute.
                max_block_ms=BROKER_TIMEOUT_MS,
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

    def __init__(self, servers: list[str], topics: Sequence[str], group: str,
                 instance_id: str | None = None) -> None:
        self._where = f"Kafka at {','.join(servers)}"
        try:
            self._consumer = KafkaConsumer(
                *topics,
                bootstrap_servers=servers,
                group_id=group,
                group_instance_id=instance_id,
                session_timeout_ms=SESSION_TIMEOUT_MS,
                heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
                fetch_min_bytes=FETCH_MIN_BYTES,
                max_partition_fetch_bytes=MAX_PARTITION_FETCH_BYTES,
                max_poll_records=MAX_POLL_RECORDS,
            )
        except KafkaError as exc:
            raise BackendUnavailable(f"{self._where} is unreachable") from exc

    def _failed(self, what: str, exc: KafkaError) -> BackendUnavailable:
        return BackendUnavailable(f"{self._where}: {what} failed: {type(exc).__name__}: {exc}")

    def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        try:
            batches = self._consumer.poll(timeout_ms=int(timeout * 1000),
                                          max_records=max_records)
        except KafkaError as exc:
            raise self._failed("poll", exc) from exc
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
        if not offsets:
            return
        try:
            self._consumer.commit(
                {tp: OffsetAndMetadata(off + 1, "", -1) for tp, off in offsets.items()},
                timeout_ms=BROKER_TIMEOUT_MS,
            )
        except CommitFailedError as exc:  # the group rebalanced (e.g. after an outage)
            raise Rebalanced(f"{self._where}: commit refused after a rebalance: {exc}") from exc
        except KafkaError as exc:
            raise self._failed("commit", exc) from exc

    def rewind(self, messages: Sequence[Message]) -> None:
        first: dict[TopicPartition, int] = {}
        for msg in messages:
            tp = TopicPartition(msg.topic, msg.partition)
            first[tp] = min(first.get(tp, msg.offset), msg.offset)
        assigned = self._consumer.assignment()
        for tp, offset in first.items():
            if tp in assigned:  # a partition lost to a rebalance restarts from its commit
                self._consumer.seek(tp, offset)

    def assigned(self) -> bool:
        return bool(self._consumer.assignment())

    def lag(self) -> int:
        assigned = list(self._consumer.assignment())
        if not assigned:
            return 0
        # One time budget for the whole query, not one per call: with a timeout per
        # position() a broker outage took up to (1 + partitions) x 5 s to surface.
        deadline = time.monotonic() + BROKER_TIMEOUT_MS / 1000
        try:
            ends = self._consumer.end_offsets(assigned, timeout_ms=BROKER_TIMEOUT_MS)
            positions = {}
            for tp in assigned:
                left_ms = int((deadline - time.monotonic()) * 1000)
                if left_ms <= 0:
                    raise BackendUnavailable(f"{self._where}: lag query timed out")
                positions[tp] = self._consumer.position(tp, timeout_ms=left_ms)
        except KafkaError as exc:
            raise self._failed("lag query", exc) from exc
        if None in positions.values():  # position() gives up with None on a timeout
            raise BackendUnavailable(f"{self._where}: lag query timed out")
        return sum(max(0, ends[tp] - (positions[tp] or 0)) for tp in assigned)

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

    def consumer(self, topics: Sequence[str], group: str,
                 instance_id: str | None = None) -> Consumer:
        return KafkaBusConsumer(self._servers, topics, group, instance_id)

    def last_message(self, topic: str) -> Message | None:
        try:
            return self._last_message(topic)
        except KafkaError as exc:
            raise BackendUnavailable(f"Kafka at {self.url}: reading the last message of "
                                     f"{topic} failed: {type(exc).__name__}: {exc}") from exc

    def _last_message(self, topic: str) -> Message | None:
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
