"""Batch-level taint-state writes: one atomic write at release, same state as per transfer."""

from __future__ import annotations

from pathlib import Path

from enrich.enricher import Enricher
from rules.exposure import Exposure, ExposureConfig, ExposureTracker
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    TORNADO,
    WEI,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.models import Transfer
from txmon.store.sqlite import SqliteStore

CHAIN = [
    transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 10 * WEI)]),
    transfer(2, [(ALICE, 4 * WEI)], [(BOB, 4 * WEI)]),
    transfer(3, [(DAVE, 1 * WEI)], [(ERIN, 1 * WEI)]),  # untainted in between
    transfer(4, [(BOB, 4 * WEI)], [(CAROL, 4 * WEI)]),
]
ENRICHER = Enricher(DictLookup([tornado_tag(TORNADO)]))


def _batched(tracker: ExposureTracker, batch: list[Transfer]) -> list[Exposure]:
    tracker.prefetch(batch)
    try:
        return [tracker.observe(ENRICHER.enrich(t)) for t in batch]
    finally:
        tracker.release()


def test_batch_writes_once_at_release_and_matches_per_transfer_writes(tmp_path: Path) -> None:
    plain_store, batch_store = SqliteStore(tmp_path / "p.db"), SqliteStore(tmp_path / "b.db")
    plain = ExposureTracker(plain_store, ExposureConfig(model="haircut"))
    expected = [plain.observe(ENRICHER.enrich(t)) for t in CHAIN]
    tracker = ExposureTracker(batch_store, ExposureConfig(model="haircut"))
    tracker.prefetch(CHAIN)
    got = [tracker.observe(ENRICHER.enrich(t)) for t in CHAIN]
    assert list(batch_store.scan("exposure:")) == []  # nothing written before release
    tracker.release()
    assert [e.to_wire() for e in got] == [e.to_wire() for e in expected]
    assert [e.hops for e in got] == [1, 2, 0, 3]
    assert list(batch_store.scan("exposure:")) == list(plain_store.scan("exposure:"))
    done = [k for k, _ in batch_store.scan("exposure:haircut:done:")]
    assert done == sorted(f"exposure:haircut:done:{t.id}" for t in (CHAIN[0], CHAIN[1], CHAIN[3]))
    plain_store.close()
    batch_store.close()


def test_redelivered_batch_is_not_applied_twice(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    tracker = ExposureTracker(store, ExposureConfig(model="haircut"))
    first = _batched(tracker, CHAIN)
    state = list(store.scan("exposure:"))
    again = _batched(ExposureTracker(store, ExposureConfig(model="haircut")), CHAIN)
    assert [e.to_wire() for e in again] == [e.to_wire() for e in first]
    assert list(store.scan("exposure:")) == state
    store.close()


def test_crash_before_release_leaves_no_partial_state(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    crashed = ExposureTracker(store, ExposureConfig(model="haircut"))
    crashed.prefetch(CHAIN)
    lost = [crashed.observe(ENRICHER.enrich(t)) for t in CHAIN[:2]]  # then the process dies
    assert list(store.scan("exposure:")) == []
    redone = _batched(ExposureTracker(store, ExposureConfig(model="haircut")), CHAIN)
    assert [e.to_wire() for e in redone[:2]] == [e.to_wire() for e in lost]
    store.close()


def test_same_transfer_twice_in_a_batch_is_applied_once(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    tracker = ExposureTracker(store, ExposureConfig(model="haircut"))
    got = _batched(tracker, [CHAIN[0], CHAIN[1], CHAIN[1], CHAIN[3]])
    assert got[1] == got[2]
    plain = _batched(ExposureTracker(SqliteStore(tmp_path / "p.db"),
                                     ExposureConfig(model="haircut")),
                     [CHAIN[0], CHAIN[1], CHAIN[3]])
    assert got[3] == plain[2]
    assert (got[3].tainted, got[3].hops) == (4 * WEI, 3)
    store.close()


def test_a_transfer_outside_the_prefetch_sees_the_batch_state(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    tracker = ExposureTracker(store, ExposureConfig(model="haircut"))
    tracker.prefetch(CHAIN[:1])
    first = tracker.observe(ENRICHER.enrich(CHAIN[0]))
    second = tracker.observe(ENRICHER.enrich(CHAIN[1]))  # BOB not prefetched, ALICE cached
    tracker.release()
    assert (first.hops, second.hops, second.tainted) == (1, 2, 4 * WEI)
    store.close()
