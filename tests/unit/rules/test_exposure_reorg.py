"""Reorgs roll taint state back: a retracted transfer's effect is undone exactly.

Issue 10 item 7: without the undo, a transfer whose block left the chain kept tainting its
receiver, and a later transfer from it raised a false 2-hop alert (live 2 alerts, a replay
of the canonical chain 0). Each test compares the live store with a replay of the
canonical chain on a fresh store, on each Store backend (SQLite here, Redis in the
integration tier), with and without the engine's batch cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.exposure import ExposureConfig, ExposureTracker
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    TORNADO,
    WEI,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.models import Transfer, TransferStatus
from txmon.settings import SEEDS_DIR
from txmon.store.base import Store
from txmon.store.sqlite import SqliteStore

ENRICHER = Enricher(DictLookup([tornado_tag(TORNADO)]))
RULEBOOK = load_rulebook(SEEDS_DIR / "rulebook.yaml")


def retracted(t: Transfer) -> Transfer:
    return dataclasses.replace(t, status=TransferStatus.RETRACTED)


def remined(t: Transfer, block: int) -> Transfer:
    return dataclasses.replace(t, block_number=block, block_hash=f"0x{block:064x}")


Run = Callable[[RuleEngine, list[Transfer]], list[tuple[str, str]]]


def one_by_one(engine: RuleEngine, transfers: list[Transfer]) -> list[tuple[str, str]]:
    out = []
    for t in transfers:
        if t.status is TransferStatus.RETRACTED:
            engine.retract(t)
        out += [(a.rule, a.transfer_id) for a in engine.evaluate(ENRICHER.enrich(t))]
    return out


def batched(engine: RuleEngine, transfers: list[Transfer]) -> list[tuple[str, str]]:
    """All in one engine batch: prefetch, evaluate in order, one write at release."""
    engine.prefetch(transfers)
    try:
        return one_by_one(engine, transfers)
    finally:
        engine.release()


def taint_state(store: Store) -> dict[str, bytes]:
    """Per-address state only (results and undo records are bookkeeping)."""
    return {k: v for k, v in store.scan("exposure:") if ":a:" in k}


def replay(transfers: list[Transfer]) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    fresh = SqliteStore(":memory:")
    alerts = one_by_one(RuleEngine(RULEBOOK, store=fresh), transfers)
    return alerts, taint_state(fresh)


SOURCE_TO_A = transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 10 * WEI)])
A_TO_B = transfer(3, [(ALICE, 4 * WEI)], [(BOB, 4 * WEI)])
B_TO_C = transfer(4, [(BOB, 4 * WEI)], [(CAROL, 4 * WEI)])


@pytest.mark.parametrize("run", [one_by_one, batched], ids=["per-transfer", "batch"])
def test_retracted_transfer_raises_no_false_two_hop_alert(store: Store, run: Run) -> None:
    engine = RuleEngine(RULEBOOK, store=store)
    assert run(engine, [SOURCE_TO_A]) == [("sanctions-direct", SOURCE_TO_A.id)]
    live = run(engine, [retracted(SOURCE_TO_A), A_TO_B, B_TO_C])
    expected_alerts, expected_state = replay([A_TO_B, B_TO_C])  # the canonical chain
    assert live == expected_alerts == []
    assert taint_state(store) == expected_state == {}


@pytest.mark.parametrize("run", [one_by_one, batched], ids=["per-transfer", "batch"])
def test_retractions_newest_first_restore_the_state_at_the_fork(store: Store, run: Run) -> None:
    engine = RuleEngine(RULEBOOK, store=store)
    fork = [SOURCE_TO_A]
    run(engine, fork)
    at_fork = taint_state(store)
    orphaned = [A_TO_B, transfer(5, [(ALICE, WEI), (BOB, WEI)], [(DAVE, 2 * WEI)]), B_TO_C]
    assert [r for r, _ in run(engine, orphaned)] == ["sanctions-indirect"] * 3
    assert taint_state(store) != at_fork
    run(engine, [retracted(t) for t in reversed(orphaned)])
    assert taint_state(store) == at_fork == replay(fork)[1]


def test_a_second_retraction_is_a_no_op(store: Store) -> None:
    engine = RuleEngine(RULEBOOK, store=store)
    one_by_one(engine, [SOURCE_TO_A, A_TO_B])
    assert engine.retract(retracted(A_TO_B)) is True
    after_first = taint_state(store)
    assert engine.retract(retracted(A_TO_B)) is False
    assert taint_state(store) == after_first == replay([SOURCE_TO_A])[1]
    assert engine.retract(retracted(transfer(9, [(DAVE, 1)], [(CAROL, 1)]))) is False


@pytest.mark.parametrize("run", [one_by_one, batched], ids=["per-transfer", "batch"])
def test_a_retracted_transfer_mined_again_applies_again(store: Store, run: Run) -> None:
    engine = RuleEngine(RULEBOOK, store=store)
    run(engine, [SOURCE_TO_A])
    again = remined(SOURCE_TO_A, 15_000_002)
    live = run(engine, [retracted(SOURCE_TO_A), again, A_TO_B])
    expected_alerts, expected_state = replay([again, A_TO_B])
    assert live == expected_alerts == [("sanctions-direct", SOURCE_TO_A.id),
                                       ("sanctions-indirect", A_TO_B.id)]
    assert taint_state(store) == expected_state
    # and a redelivery of the re-mined copy (crash before commit) is not applied twice
    assert run(engine, [again]) == [("sanctions-direct", SOURCE_TO_A.id)]
    assert taint_state(store) == expected_state


def test_an_out_of_order_retraction_keeps_the_taint_it_cannot_undo(store: Store) -> None:
    """The follower never does this (newest first); if it happened, taint stays: the
    conservative error, and it is logged."""
    engine = RuleEngine(RULEBOOK, store=store)
    one_by_one(engine, [SOURCE_TO_A, A_TO_B])
    assert engine.retract(retracted(SOURCE_TO_A)) is True  # ALICE moved on since: kept
    alice = [k for k in taint_state(store) if k.endswith(ALICE)]
    assert alice, "ALICE's taint must not be dropped by an undo that no longer applies"


@pytest.mark.parametrize("model", ["poison", "haircut", "fifo"])
def test_every_taint_model_is_undone_exactly(store: Store, model: str) -> None:
    """FIFO lots, haircut floors and poison's sticky taint all come back to the fork."""
    tracker = ExposureTracker(store, ExposureConfig(model=model))
    for t in (SOURCE_TO_A, transfer(2, [(TORNADO, 3 * WEI)], [(ALICE, 3 * WEI)])):
        tracker.observe(ENRICHER.enrich(t))
    at_fork = taint_state(store)
    orphaned = [transfer(3, [(ALICE, 7 * WEI)], [(BOB, 5 * WEI), (CAROL, 2 * WEI)]),
                transfer(4, [(BOB, 1 * WEI), (CAROL, 2 * WEI)], [(DAVE, 3 * WEI)]),
                transfer(5, [(ALICE, 1 * WEI)], [(DAVE, 1 * WEI)])]
    tracker.prefetch(orphaned)
    for t in orphaned:
        tracker.observe(ENRICHER.enrich(t))
    tracker.release()
    assert taint_state(store) != at_fork
    undo = [retracted(t) for t in reversed(orphaned)]
    tracker.prefetch(undo)
    assert all(tracker.retract(t) for t in undo)
    tracker.release()
    assert taint_state(store) == at_fork
