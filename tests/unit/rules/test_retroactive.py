"""Retroactive alerts after a list update, and the stored history they rest on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from enrich.tagupdates import delta_messages
from enrich.tagversions import Delta
from rules.engine import RuleEngine, alert_id
from rules.history import TransferHistory
from rules.retro import RetroactiveScanner
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    CAROL,
    TORNADO,
    TORNADO_PROXY,
    WEI,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.models import TransferStatus
from txmon.store.base import AppendResult, EntryBuilder, LogHead, Store
from txmon.store.sqlite import SqliteStore

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
PUBLISHED = dt.date(2022, 8, 8)


class CountingStore(Store):
    """Delegates to a real store and counts the calls of each primitive."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def get(self, key: str) -> bytes | None:
        self._count("get")
        return self.inner.get(key)

    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        self._count("get_many")
        return self.inner.get_many(keys)

    def put_many(self, items: Mapping[str, bytes], delete: Iterable[str] = ()) -> None:
        self._count("put_many")
        self.inner.put_many(items, delete)

    def add_if_absent(self, key: str, value: bytes) -> bool:
        self._count("add_if_absent")
        return self.inner.add_if_absent(key, value)

    def scan(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        self._count("scan")
        return self.inner.scan(prefix)

    def delete_prefix(self, prefix: str) -> int:
        self._count("delete_prefix")
        return self.inner.delete_prefix(prefix)

    def add_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        self._count("add_members")
        self.inner.add_members(sets)

    def members(self, key: str) -> set[str]:
        self._count("members")
        return self.inner.members(key)

    def remove_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        self._count("remove_members")
        self.inner.remove_members(sets)

    def append_chained(self, log: str, dedupe_key: str, build: EntryBuilder) -> AppendResult:
        self._count("append_chained")
        return self.inner.append_chained(log, dedupe_key, build)

    def read_log(self, log: str, from_seq: int = 1) -> Iterator[tuple[int, bytes]]:
        self._count("read_log")
        return self.inner.read_log(log, from_seq)

    def log_head(self, log: str) -> LogHead:
        self._count("log_head")
        return self.inner.log_head(log)

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()


def _delta(added: tuple[str, ...] = (), removed: tuple[str, ...] = ()) -> dict[str, object]:
    [message] = delta_messages(Delta("ofac-sdn", "ofac-sdn@2022-08-08#abc", "ofac-sdn@old",
                                     PUBLISHED, added, removed))
    return message


def test_history_finds_transfers_by_any_spelling_in_block_order(tmp_path: Path) -> None:
    history = TransferHistory(SqliteStore(tmp_path / "s.db"))
    a = transfer(2, [(ALICE, WEI)], [(TORNADO, WEI)])
    b = transfer(1, [(TORNADO, WEI)], [(BOB, WEI)])
    c = transfer(3, [(BOB, WEI)], [(CAROL, WEI)])
    assert history.record_many([a, b, c]) > 0
    found = history.touching([TORNADO.upper().replace("0X", "0x")])
    assert [t.id for t in found] == [b.id, a.id]
    history.record_many([replace(a, status=TransferStatus.RETRACTED)])  # reorged away
    assert [t.id for t in history.touching([TORNADO])] == [b.id]
    assert history.prune(dt.date(2022, 9, 1)) == 0  # all are on 2022-09-01
    assert history.prune(dt.date(2022, 9, 2)) == 4  # two transfers, two addresses each
    assert history.touching([TORNADO, BOB]) == []


def test_last_version_in_a_batch_wins_and_pending_is_not_history(store: Store) -> None:
    history = TransferHistory(store)
    a = transfer(1, [(ALICE, WEI)], [(TORNADO, WEI)])
    b = transfer(2, [(BOB, WEI)], [(TORNADO, WEI)])
    pending = replace(transfer(3, [(CAROL, WEI)], [(TORNADO, WEI)]),
                      status=TransferStatus.PENDING)
    retracted = replace(a, status=TransferStatus.RETRACTED)
    written = history.record_many([a, b, retracted, pending])
    assert [t.id for t in history.touching([TORNADO])] == [b.id]  # a was reorged away
    assert written == 1
    assert history.touching([ALICE, CAROL]) == []
    history.record_many([retracted, a])  # back on the canonical chain: same id again
    assert [t.id for t in history.touching([TORNADO, ALICE])] == [a.id, b.id]
    history.record_many([a, b])  # a replayed batch changes nothing
    assert [t.id for t in history.touching([TORNADO])] == [a.id, b.id]


def test_lookup_reads_the_address_index_and_never_scans(tmp_path: Path) -> None:
    counting = CountingStore(SqliteStore(tmp_path / "s.db"))
    history = TransferHistory(counting)
    history.record_many([transfer(n, [(ALICE, WEI)], [(BOB, n)]) for n in range(1, 51)]
                        + [transfer(99, [(TORNADO, WEI)], [(CAROL, WEI)])])
    counting.calls.clear()
    [found] = history.touching([TORNADO, TORNADO.upper().replace("0X", "0x")])
    assert (found.block_number, found.outputs[0].address) == (15_000_099, CAROL)
    assert counting.calls == {"members": 1, "get_many": 1}  # one index, one body fetch
    assert len(history.touching([BOB])) == 50
    counting.close()


def test_delta_raises_retroactive_alerts_marked_with_the_version(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    history = TransferHistory(store)
    old = [transfer(1, [(ALICE, WEI)], [(TORNADO, WEI)]),
           transfer(2, [(ALICE, WEI)], [(BOB, WEI)]),
           transfer(3, [(TORNADO_PROXY, 0)], [(CAROL, 0)])]
    history.record_many(old)
    rules = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store)
    lookup = DictLookup([tornado_tag(TORNADO), tornado_tag(TORNADO_PROXY)])
    scanner = RetroactiveScanner(history, lookup, rules)
    got = scanner.scan(_delta(added=(TORNADO,)))
    assert [(a.rule, a.transfer_id, a.retroactive, a.list_version) for a in got] == [
        ("sanctions-direct", old[0].id, True, "ofac-sdn@2022-08-08#abc")]
    assert got[0].id == alert_id("sanctions-direct", old[0].id)  # same id as a live alert
    assert got[0].as_of == PUBLISHED
    assert got[0].evidence["retroactive"] == {  # type: ignore[comparison-overlap]
        "list_version": "ofac-sdn@2022-08-08#abc", "source": "ofac-sdn",
        "published": "2022-08-08", "newly_listed": [TORNADO]}
    assert list(store.scan("exposure:")) == []  # old flows never re-applied to taint state
    assert scanner.scan(_delta(removed=(TORNADO,))) == []  # a delisting raises nothing
    store.close()
