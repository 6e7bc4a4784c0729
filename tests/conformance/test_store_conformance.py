"""One conformance suite for the Store interface, run against every backend.

The embedded (SQLite) backend runs in the unit tier; the Redis backend talks to the real
Redis on loopback (integration tier). Both must behave identically.
"""

from __future__ import annotations

import threading

import pytest

from txmon.errors import BackendUnavailable
from txmon.store.base import LogHead, Store
from txmon.store.redis import RedisStore


def test_get_put_roundtrip_and_missing(store: Store) -> None:
    store.put("a:1", b"\x00binary\xff")
    assert store.get("a:1") == b"\x00binary\xff"
    assert store.get("a:missing") is None
    assert store.get_many(["a:1", "a:missing"]) == [b"\x00binary\xff", None]


def test_put_many_with_deletes_is_applied_together(store: Store) -> None:
    store.put_many({"k:old": b"1", "k:keep": b"2"})
    store.put_many({"k:new": b"3"}, delete=["k:old"])
    assert dict(store.scan("k:")) == {"k:keep": b"2", "k:new": b"3"}


def test_add_if_absent_only_first_wins(store: Store) -> None:
    assert store.add_if_absent("once", b"first") is True
    assert store.add_if_absent("once", b"second") is False
    assert store.get("once") == b"first"


def test_scan_is_sorted_and_literal(store: Store) -> None:
    store.put_many({"p:b": b"2", "p:a": b"1", "p*x": b"glob", "q:a": b"other"})
    assert list(store.scan("p:")) == [("p:a", b"1"), ("p:b", b"2")]
    assert list(store.scan("p*")) == [("p*x", b"glob")]  # '*' is not a wildcard


def test_delete_prefix_counts(store: Store) -> None:
    store.put_many({"d:1": b"", "d:2": b"", "e:1": b""})
    assert store.delete_prefix("d:") == 2
    assert list(store.scan("d:")) == []
    assert store.get("e:1") == b""


def test_sets_add_read_remove_idempotently(store: Store) -> None:
    store.add_members({"s:a": ["t1", "t2"], "s:b": ["t1"]})
    store.add_members({"s:a": ["t2", "t3"]})  # a repeat is a no-op
    assert store.members("s:a") == {"t1", "t2", "t3"}
    assert store.members("s:b") == {"t1"}
    assert store.members("s:none") == set()
    store.remove_members({"s:a": ["t1", "missing"]})
    assert store.members("s:a") == {"t2", "t3"}


def test_sets_added_in_bulk_beyond_one_call_keep_every_member(store: Store) -> None:
    """Thousands of sets in one batch (the Redis store splits its script calls) and one set
    with more members than one SADD of the script takes: nothing lost, nothing mixed up."""
    sets = {f"bulk:{n}": [f"t{n}", f"u{n}"] for n in range(4_500)}
    sets["bulk:big"] = [f"m{n}" for n in range(9_001)]
    sets["bulk:empty"] = []
    store.add_members(sets)
    assert store.members("bulk:0") == {"t0", "u0"}
    assert store.members("bulk:2000") == {"t2000", "u2000"}
    assert store.members("bulk:4499") == {"t4499", "u4499"}
    assert len(store.members("bulk:big")) == 9_001
    assert "m9000" in store.members("bulk:big")
    assert store.members("bulk:empty") == set()


def _builder(payload: bytes):  # test helper
    def build(seq: int, prev: str) -> tuple[bytes, str]:
        return payload + b"@" + str(seq).encode(), f"h{seq}<{prev}"

    return build


def test_append_chained_dedupes_and_links(store: Store) -> None:
    assert store.log_head("feed") == LogHead(0, "")
    first = store.append_chained("feed", "alert-a", _builder(b"A"))
    second = store.append_chained("feed", "alert-b", _builder(b"B"))
    again = store.append_chained("feed", "alert-a", _builder(b"A"))
    assert (first.seq, first.created) == (1, True)
    assert (second.seq, second.created) == (2, True)
    assert (again.seq, again.created) == (1, False)
    assert list(store.read_log("feed")) == [(1, b"A@1"), (2, b"B@2")]
    assert list(store.read_log("feed", from_seq=2)) == [(2, b"B@2")]
    assert store.log_head("feed") == LogHead(2, "h2<h1<")


def test_append_chained_under_contention_has_no_gap_or_duplicate(store: Store) -> None:
    """Four threads raise overlapping alert ids: each id lands once, seqs are 1..N."""
    ids = [f"alert-{i % 25}" for i in range(100)]

    def worker(offset: int) -> None:
        for alert in ids[offset::4]:
            store.append_chained("race", alert, _builder(alert.encode()))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = list(store.read_log("race"))
    assert [seq for seq, _ in entries] == list(range(1, 26))
    assert len({value.split(b"@")[0] for _, value in entries}) == 25


def test_unreachable_redis_is_a_clear_error_not_a_fallback() -> None:
    with pytest.raises(BackendUnavailable, match=r"127\.0\.0\.1:1"):
        RedisStore("redis://127.0.0.1:1/0")


def test_trim_log_deletes_a_prefix_but_never_the_head(store: Store) -> None:
    for n in range(1, 5):
        store.append_chained("trim", f"k{n}", lambda seq, prev, n=n: (f"e{n}".encode(), f"h{n}"))
    assert store.trim_log("trim", 2) == 2
    assert [seq for seq, _ in store.read_log("trim")] == [3, 4]
    assert store.trim_log("trim", 10) == 1  # the last entry stays: the chain links to it
    assert [seq for seq, _ in store.read_log("trim")] == [4]
    assert store.log_head("trim").seq == 4
    assert store.append_chained("trim", "k1", lambda s, p: (b"again", "x")).created is False
    assert store.append_chained("trim", "k5", lambda s, p: (b"e5", "h5")).seq == 5


def test_append_chained_many_links_in_order_and_dedupes(store: Store) -> None:
    first = store.append_chained_many("many", [("a", _builder(b"A")), ("b", _builder(b"B"))])
    again = store.append_chained_many("many", [("b", _builder(b"B")), ("c", _builder(b"C"))])
    assert [(r.seq, r.created) for r in first + again] == [
        (1, True), (2, True), (2, False), (3, True)]
    assert list(store.read_log("many")) == [(1, b"A@1"), (2, b"B@2"), (3, b"C@3")]
    assert store.log_head("many") == LogHead(3, "h3<h2<h1<")


def test_append_chained_many_dedupes_within_one_batch(store: Store) -> None:
    results = store.append_chained_many("twice", [("a", _builder(b"A")), ("a", _builder(b"A")),
                                                  ("b", _builder(b"B"))])
    assert [(r.seq, r.created) for r in results] == [(1, True), (1, False), (2, True)]
    assert store.log_head("twice") == LogHead(2, "h2<h1<")
