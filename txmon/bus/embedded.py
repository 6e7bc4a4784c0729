"""Embedded bus: a durable, single-partition log per topic in one SQLite file.

It gives the one-process default the same semantics the Kafka deployment relies on —
ordered topics, consumer groups with committed offsets, redelivery of uncommitted
messages after a crash — so the demo, replay and a laptop install run the very same
ingest → engine → alerts code. Several processes on one machine may share the file;
scaling out beyond one machine is what Kafka is for.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

from txmon.bus.base import Bus, Consumer, Message, Producer
from txmon.errors import BackendUnavailable, DeliveryError
from txmon.store import sqlite as sqlite_store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    topic TEXT NOT NULL, offset INTEGER NOT NULL, key BLOB, value BLOB NOT NULL,
    headers BLOB NOT NULL, PRIMARY KEY (topic, offset)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offset (
    grp TEXT NOT NULL, topic TEXT NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic)) WITHOUT ROWID;
"""


class _Log:
    """The shared SQLite connection of one embedded bus."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                      timeout=30.0)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(sqlite_store.SYNCHRONOUS)  # FULL in the product, as the store
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"cannot open embedded bus {path}: {exc}") from exc
        self.lock = threading.RLock()


class EmbeddedProducer(Producer):
    """Buffers messages; ``flush`` appends them in one transaction (= acknowledged)."""

    def __init__(self, log: _Log) -> None:
        self._log = log
        self._pending: list[tuple[str, bytes | None, bytes, bytes]] = []

    def send(self, topic: str, value: bytes, key: bytes | None = None,
             headers: Sequence[tuple[str, bytes]] = ()) -> None:
        encoded = orjson.dumps([[name, raw.hex()] for name, raw in headers])
        self._pending.append((topic, key, value, encoded))

    def flush(self, timeout: float = 30.0) -> None:
        if not self._pending:
            return
        log = self._log
        with log.lock:
            try:
                log.db.execute("BEGIN IMMEDIATE")
                next_offset: dict[str, int] = {}
                rows = []
                for topic, key, value, headers in self._pending:
                    if topic not in next_offset:  # one MAX per topic and flush, not per message
                        row = log.db.execute(
                            "SELECT COALESCE(MAX(offset), -1) FROM message WHERE topic = ?",
                            (topic,),
                        ).fetchone()
                        next_offset[topic] = int(row[0]) + 1
                    rows.append((topic, next_offset[topic], key, value, headers))
                    next_offset[topic] += 1
                log.db.executemany("INSERT INTO message VALUES (?, ?, ?, ?, ?)", rows)
                log.db.execute("COMMIT")
            except sqlite3.Error as exc:
                log.db.execute("ROLLBACK")
                raise DeliveryError(f"embedded bus write failed: {exc}") from exc
        self._pending.clear()

    def close(self) -> None:
        self.flush()


class EmbeddedConsumer(Consumer):
    """Reads from the group's committed offset; one partition (0) per topic."""

    def __init__(self, log: _Log, topics: Sequence[str], group: str) -> None:
        self._log = log
        self._topics = list(topics)
        self._group = group
        self._position = {topic: self._committed(topic) for topic in self._topics}

    def _committed(self, topic: str) -> int:
        with self._log.lock:
            row = self._log.db.execute(
                "SELECT next_offset FROM group_offset WHERE grp = ? AND topic = ?",
                (self._group, topic),
            ).fetchone()
        return 0 if row is None else int(row[0])

    def _fetch(self, max_records: int) -> list[Message]:
        out: list[Message] = []
        with self._log.lock:
            for topic in self._topics:
                rows = self._log.db.execute(
                    "SELECT offset, key, value, headers FROM message"
                    " WHERE topic = ? AND offset >= ? ORDER BY offset LIMIT ?",
                    (topic, self._position[topic], max_records - len(out)),
                ).fetchall()
                for offset, key, value, headers in rows:
                    decoded = tuple((n, bytes.fromhex(h)) for n, h in orjson.loads(headers))
                    out.append(Message(topic, 0, int(offset), key, bytes(value), decoded))
                if rows:
                    self._position[topic] = int(rows[-1][0]) + 1
        return out

    def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        deadline = time.monotonic() + timeout
        while True:
            batch = self._fetch(max_records)
            if batch or time.monotonic() >= deadline:
                return batch
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def commit(self, messages: Sequence[Message]) -> None:
        latest: dict[str, int] = {}
        for msg in messages:
            latest[msg.topic] = max(latest.get(msg.topic, -1), msg.offset)
        with self._log.lock:
            for topic, offset in latest.items():
                self._log.db.execute(
                    "INSERT INTO group_offset VALUES (?, ?, ?) ON CONFLICT (grp, topic)"
                    " DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset)",
                    (self._group, topic, offset + 1),
                )

    def rewind(self, messages: Sequence[Message]) -> None:
        for msg in messages:
            self._position[msg.topic] = min(self._position[msg.topic], msg.offset)

    def lag(self) -> int:
        total = 0
        with self._log.lock:
            for topic in self._topics:
                row = self._log.db.execute(
                    "SELECT COUNT(*) FROM message WHERE topic = ? AND offset >= ?",
                    (topic, self._position[topic]),
                ).fetchone()
                total += int(row[0])
        return total

    def close(self) -> None:
        """Nothing to release: uncommitted messages are simply read again next time."""


class EmbeddedBus(Bus):
    """Bus on a SQLite file (``":memory:"`` for a single-process, throw-away bus)."""

    name = "embedded"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._log = _Log(self.path)

    def producer(self) -> Producer:
        return EmbeddedProducer(self._log)

    def consumer(self, topics: Sequence[str], group: str,
                 instance_id: str | None = None) -> Consumer:
        """One process, one member: ``instance_id`` has nothing to do here."""
        return EmbeddedConsumer(self._log, topics, group)

    def last_message(self, topic: str) -> Message | None:
        with self._log.lock:
            row = self._log.db.execute(
                "SELECT offset, key, value FROM message WHERE topic = ?"
                " ORDER BY offset DESC LIMIT 1",
                (topic,),
            ).fetchone()
        return None if row is None else Message(topic, 0, int(row[0]), row[1], bytes(row[2]))

    def read_back(self, topic: str) -> Iterator[Message]:
        before = None
        while True:
            with self._log.lock:
                rows = self._log.db.execute(
                    "SELECT offset, key, value, headers FROM message WHERE topic = ?"
                    " AND offset < COALESCE(?, offset + 1) ORDER BY offset DESC LIMIT 500",
                    (topic, before),
                ).fetchall()
            if not rows:
                return
            for offset, key, value, headers in rows:
                decoded = tuple((n, bytes.fromhex(h)) for n, h in orjson.loads(headers))
                yield Message(topic, 0, int(offset), key, bytes(value), decoded)
            before = int(rows[-1][0])

    def ping(self) -> None:
        with self._log.lock:
            self._log.db.execute("SELECT 1")

    def close(self) -> None:
        with self._log.lock:
            self._log.db.close()
