"""Redis store: the shared state of a scaled-out deployment.

Every key is prefixed with a namespace so that several deployments (or test runs) can
share one Redis. Chained logs use optimistic transactions (WATCH/MULTI/EXEC): the hash
of an alert feed is SHA-256, which Redis' Lua cannot compute, so the entry is built in
Python and the transaction retried if another worker appended first.

Every public method turns redis-py's exceptions into
:class:`txmon.errors.BackendUnavailable` (see :func:`_translated`), so that the engine's
outage handling catches the project's error family, never a library type.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

import redis

from txmon.errors import BackendUnavailable
from txmon.store.base import AppendResult, EntryBuilder, LogHead, Store

_SCAN_BATCH = 1000
_SADD_BATCH = 2000  # sets per script call: bounds one call's argument list and Redis' stall
# Adds members to many sets in one command. Transfer history adds ~2 sets of one member
# per transfer; as pipelined SADDs inside MULTI that was ~2 commands to pack and ~2 replies
# (QUEUED, then EXEC's) to parse per transfer, ~38 % of the engine's CPU. A script is one
# command and one reply, and atomic like MULTI/EXEC. ARGV: per key, a count then members.
_SADD_MANY = """
local i = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[i])
  for s = i + 1, i + n, 4000 do
    redis.call('SADD', KEYS[k], unpack(ARGV, s, math.min(s + 3999, i + n)))
  end
  i = i + n + 1
end
return #KEYS
"""
_F = TypeVar("_F", bound=Callable[..., Any])
# What a restart, failover or full server answers: worth retrying. Any other RedisError
# (WRONGTYPE, a syntax error) is a bug in txmon and propagates as it is, loudly.
_TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.OutOfMemoryError,
              redis.exceptions.ReadOnlyError, redis.exceptions.TryAgainError,
              redis.exceptions.ClusterDownError)


def _translated(method: _F) -> _F:
    """Raise BackendUnavailable in place of a transient redis error (a connection refused
    or reset, a timeout, a server loading its data after a restart), generators included."""

    def fail(self: RedisStore, exc: redis.RedisError) -> BackendUnavailable:
        return BackendUnavailable(f"Redis at {self.url}: {type(exc).__name__}: {exc}")

    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(self: RedisStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except _TRANSIENT as exc:
                raise fail(self, exc) from exc

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def plain(self: RedisStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except _TRANSIENT as exc:
            raise fail(self, exc) from exc

    return plain  # type: ignore[return-value]


def _glob_escape(text: str) -> str:
    """Escape Redis glob metacharacters so a key prefix matches literally."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


class RedisStore(Store):
    """Store on a Redis server given as ``redis://host:port/db``."""

    def __init__(self, url: str, namespace: str = "txmon") -> None:
        self.url = url
        self._ns = f"{namespace}:" if namespace else ""
        self._r = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        self._sadd_many = self._r.register_script(_SADD_MANY)
        self.ping()

    def _k(self, key: str) -> str:
        return self._ns + key

    def ping(self) -> None:
        try:
            self._r.ping()
        except redis.RedisError as exc:
            raise BackendUnavailable(f"Redis at {self.url} is unreachable: {exc}") from exc

    @_translated
    def get(self, key: str) -> bytes | None:
        return self._r.get(self._k(key))  # type: ignore[return-value]

    @_translated
    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        wanted = [self._k(k) for k in keys]
        out: list[bytes | None] = []
        for start in range(0, len(wanted), _SCAN_BATCH):
            out.extend(self._r.mget(wanted[start : start + _SCAN_BATCH]))  # type: ignore[arg-type]
        return out

    @_translated
    def put_many(self, items: Mapping[str, bytes], delete: Iterable[str] = ()) -> None:
        pipe = self._r.pipeline(transaction=True)  # MULTI/EXEC: all or nothing
        doomed = [self._k(k) for k in delete]
        if doomed:
            pipe.delete(*doomed)
        if items:
            pipe.mset({self._k(k): v for k, v in items.items()})
        pipe.execute()

    @_translated
    def add_if_absent(self, key: str, value: bytes) -> bool:
        return bool(self._r.set(self._k(key), value, nx=True))

    def _keys(self, prefix: str) -> list[bytes]:
        pattern = _glob_escape(self._k(prefix)) + "*"
        return sorted(self._r.scan_iter(match=pattern, count=_SCAN_BATCH))

    @_translated
    def scan(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        keys = self._keys(prefix)
        strip = len(self._ns)
        for start in range(0, len(keys), _SCAN_BATCH):
            chunk = keys[start : start + _SCAN_BATCH]
            for key, value in zip(chunk, self._r.mget(chunk), strict=True):
                if value is not None:  # deleted between SCAN and MGET
                    yield key.decode()[strip:], value  # type: ignore[misc]

    @_translated
    def delete_prefix(self, prefix: str) -> int:
        keys = self._keys(prefix)
        removed = 0
        for start in range(0, len(keys), _SCAN_BATCH):
            removed += int(self._r.delete(*keys[start : start + _SCAN_BATCH]))
        return removed

    @_translated
    def add_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        keys: list[str] = []
        args: list[str] = []
        for key, members in sets.items():
            wanted = list(members)
            if wanted:
                keys.append(self._k(key))
                args.append(str(len(wanted)))
                args += wanted
        if not keys:
            return
        if len(keys) <= _SADD_BATCH:
            self._sadd_many(keys=keys, args=args)
            return
        pipe = self._r.pipeline(transaction=True)  # several calls, still all or nothing
        at = 0
        for start in range(0, len(keys), _SADD_BATCH):
            chunk = keys[start:start + _SADD_BATCH]
            end = at
            for _ in chunk:
                end += int(args[end]) + 1
            self._sadd_many(keys=chunk, args=args[at:end], client=pipe)
            at = end
        pipe.execute()

    @_translated
    def members(self, key: str) -> set[str]:
        return {cast(bytes, m).decode() for m in self._r.smembers(self._k(key))}

    @_translated
    def remove_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        pipe = self._r.pipeline(transaction=True)
        for key, members in sets.items():
            doomed = list(members)
            if doomed:
                pipe.srem(self._k(key), *doomed)
        pipe.execute()

    def _log_keys(self, log: str) -> tuple[str, str, str]:
        base = self._k(f"log:{log}")
        return f"{base}:head", f"{base}:entries", f"{base}:dedupe"

    @_translated
    def append_chained(self, log: str, dedupe_key: str, build: EntryBuilder) -> AppendResult:
        head_key, entries_key, dedupe_hash = self._log_keys(log)
        with self._r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(head_key, dedupe_hash)
                    known = pipe.hget(dedupe_hash, dedupe_key)
                    if known is not None:
                        pipe.unwatch()
                        return AppendResult(seq=int(known), created=False)
                    head = self._read_head(pipe, head_key)
                    seq = head.seq + 1
                    value, digest = build(seq, head.hash)
                    pipe.multi()
                    pipe.hset(entries_key, str(seq), value)
                    pipe.hset(dedupe_hash, dedupe_key, seq)
                    pipe.hset(head_key, mapping={"seq": seq, "hash": digest})
                    pipe.execute()
                    return AppendResult(seq=seq, created=True)
                except redis.WatchError:
                    continue  # another worker appended first: rebuild on the new head

    @_translated
    def append_chained_many(self, log: str,
                            items: Sequence[tuple[str, EntryBuilder]]) -> list[AppendResult]:
        # One WATCH/MULTI/EXEC for the whole batch instead of one per entry (a group
        # commit, as on SQLite): the dedupe check, the sequence numbers and the hash links
        # are decided together, and a concurrent append makes the whole batch retry.
        if len(items) <= 1:
            return [self.append_chained(log, key, build) for key, build in items]
        head_key, entries_key, dedupe_hash = self._log_keys(log)
        with self._r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(head_key, dedupe_hash)
                    known = pipe.hmget(dedupe_hash, [key for key, _ in items])
                    head = self._read_head(pipe, head_key)
                    seq, digest = head.seq, head.hash
                    results: list[AppendResult] = []
                    # Any: redis-py's hset wants a Mapping invariant in its key type
                    entries: dict[Any, Any] = {}
                    keys: dict[Any, Any] = {}
                    for (key, build), old in zip(items, known, strict=True):
                        if old is not None or key in keys:
                            found = int(old) if old is not None else keys[key]
                            results.append(AppendResult(seq=found, created=False))
                            continue
                        seq += 1
                        value, digest = build(seq, digest)
                        entries[str(seq)], keys[key] = value, seq
                        results.append(AppendResult(seq=seq, created=True))
                    if not entries:
                        pipe.unwatch()
                        return results
                    pipe.multi()
                    pipe.hset(entries_key, mapping=entries)
                    pipe.hset(dedupe_hash, mapping=keys)
                    pipe.hset(head_key, mapping={"seq": seq, "hash": digest})
                    pipe.execute()
                    return results
                except redis.WatchError:
                    continue  # another worker appended first: rebuild on the new head

    @staticmethod
    def _read_head(client: redis.Redis | redis.client.Pipeline, head_key: str) -> LogHead:
        raw = client.hgetall(head_key)
        if not raw:
            return LogHead(0, "")
        return LogHead(int(raw[b"seq"]), cast(bytes, raw[b"hash"]).decode())  # no decode_responses

    @_translated
    def read_log(self, log: str, from_seq: int = 1) -> Iterator[tuple[int, bytes]]:
        head_key, entries_key, _ = self._log_keys(log)
        last = self._read_head(self._r, head_key).seq
        for start in range(from_seq, last + 1, _SCAN_BATCH):
            seqs = list(range(start, min(start + _SCAN_BATCH, last + 1)))
            values = self._r.hmget(entries_key, [str(s) for s in seqs])
            for seq, value in zip(seqs, values, strict=True):
                if value is not None:
                    yield seq, cast(bytes, value)  # bytes: the client has no decode_responses

    @_translated
    def log_head(self, log: str) -> LogHead:
        return self._read_head(self._r, self._log_keys(log)[0])

    @_translated
    def trim_log(self, log: str, through_seq: int) -> int:
        # The head lives in its own key here, but the last entry stays on both backends.
        head_key, entries_key, _ = self._log_keys(log)
        last = min(through_seq, self._read_head(self._r, head_key).seq - 1)
        deleted = 0
        for start in range(1, last + 1, _SCAN_BATCH):
            seqs = [str(s) for s in range(start, min(start + _SCAN_BATCH, last + 1))]
            deleted += int(self._r.hdel(entries_key, *seqs))
        return deleted

    def close(self) -> None:
        self._r.close()
