"""Embedded store: one SQLite file under the data dir (WAL mode, durable across restarts).

SQLite is the embedded default because it is in the standard library, survives crashes
and power loss (WAL + synchronous=FULL: a committed transaction is on disk before the
caller goes on to commit its bus offset) and lets several txmon
processes on one machine share a data dir. One connection is shared by the threads of a
process behind a lock; other processes are serialised by SQLite's own file locking.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from txmon.errors import BackendUnavailable
from txmon.store.base import AppendResult, EntryBuilder, LogHead, Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS set_member (
    key TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (key, member)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_entry (
    log TEXT NOT NULL, seq INTEGER NOT NULL, value BLOB NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (log, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_key (
    log TEXT NOT NULL, dedupe_key TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (log, dedupe_key)) WITHOUT ROWID;
"""


# Durability of a commit. FULL in the product (the docstring says why); only the test
# suite's fixtures lower it (tests/conftest.py), where no power is lost and an fsync per
# transaction is most of the unit tier's wall time.
SYNCHRONOUS = "PRAGMA synchronous=FULL"


def _prefix_upper_bound(prefix: str) -> str:
    """Smallest string greater than every string starting with ``prefix``."""
    return prefix + "\U0010ffff"


class SqliteStore(Store):
    """Store on a SQLite file (``":memory:"`` for a throw-away store)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SYNCHRONOUS)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"cannot open embedded store {self.path}: {exc}") from exc
        self._lock = threading.RLock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        wanted = list(keys)
        found: dict[str, bytes] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):  # SQLite caps bound parameters
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value FROM kv WHERE key IN ({marks})"  # noqa: S608
                found.update((k, bytes(v)) for k, v in self._db.execute(query, chunk))
        return [found.get(key) for key in wanted]

    def put_many(self, items: Mapping[str, bytes], delete: Iterable[str] = ()) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("DELETE FROM kv WHERE key = ?", ((k,) for k in delete))
                self._db.executemany(
                    "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", items.items()
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_if_absent(self, key: str, value: bytes) -> bool:
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)", (key, value)
            )
        return cur.rowcount == 1

    def scan(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key",
                (prefix, _prefix_upper_bound(prefix)),
            ).fetchall()
        return ((key, bytes(value)) for key, value in rows)

    def delete_prefix(self, prefix: str) -> int:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM kv WHERE key >= ? AND key < ?",
                (prefix, _prefix_upper_bound(prefix)),
            )
        return cur.rowcount

    def _set_batch(self, sql: str, sets: Mapping[str, Iterable[str]]) -> None:
        rows = [(key, member) for key, members in sets.items() for member in members]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(sql, rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        self._set_batch("INSERT OR IGNORE INTO set_member (key, member) VALUES (?, ?)", sets)

    def members(self, key: str) -> set[str]:
        with self._lock:
            rows = self._db.execute("SELECT member FROM set_member WHERE key = ?", (key,))
            return {str(row[0]) for row in rows}

    def remove_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        self._set_batch("DELETE FROM set_member WHERE key = ? AND member = ?", sets)

    def append_chained(self, log: str, dedupe_key: str, build: EntryBuilder) -> AppendResult:
        return self.append_chained_many(log, [(dedupe_key, build)])[0]

    def append_chained_many(self, log: str,
                            items: Sequence[tuple[str, EntryBuilder]]) -> list[AppendResult]:
        # One transaction for all: with synchronous=FULL each COMMIT is an fsync (~3 ms
        # here), the whole cost of a confirmation record (bench/bench_batch_screening.py).
        results = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for dedupe_key, build in items:
                    results.append(self._append_one(log, dedupe_key, build))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return results

    def _append_one(self, log: str, dedupe_key: str, build: EntryBuilder) -> AppendResult:
        row = self._db.execute(
            "SELECT seq FROM log_key WHERE log = ? AND dedupe_key = ?", (log, dedupe_key)
        ).fetchone()
        if row is not None:
            return AppendResult(seq=int(row[0]), created=False)
        head = self._head(log)
        seq = head.seq + 1
        value, digest = build(seq, head.hash)
        self._db.execute(
            "INSERT INTO log_entry (log, seq, value, hash) VALUES (?, ?, ?, ?)",
            (log, seq, value, digest),
        )
        self._db.execute(
            "INSERT INTO log_key (log, dedupe_key, seq) VALUES (?, ?, ?)",
            (log, dedupe_key, seq),
        )
        return AppendResult(seq=seq, created=True)

    def _head(self, log: str) -> LogHead:
        row = self._db.execute(
            "SELECT seq, hash FROM log_entry WHERE log = ? ORDER BY seq DESC LIMIT 1", (log,)
        ).fetchone()
        return LogHead(0, "") if row is None else LogHead(int(row[0]), str(row[1]))

    def read_log(self, log: str, from_seq: int = 1) -> Iterator[tuple[int, bytes]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, value FROM log_entry WHERE log = ? AND seq >= ? ORDER BY seq",
                (log, from_seq),
            ).fetchall()
        return ((int(seq), bytes(value)) for seq, value in rows)

    def log_head(self, log: str) -> LogHead:
        with self._lock:
            return self._head(log)

    def trim_log(self, log: str, through_seq: int) -> int:
        with self._lock:
            last = self._head(log).seq
            cursor = self._db.execute("DELETE FROM log_entry WHERE log = ? AND seq <= ?",
                                      (log, min(through_seq, last - 1)))
            return cursor.rowcount

    def ping(self) -> None:
        with self._lock:
            self._db.execute("SELECT 1")

    def close(self) -> None:
        with self._lock:
            self._db.close()
