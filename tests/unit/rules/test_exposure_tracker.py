"""Multi-hop exposure over chains of transfers, on the embedded store, per taint model."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.enricher import Enricher
from rules.exposure import Exposure, ExposureConfig, ExposureTracker
from rules.exposure.state import TaintRepository
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    BTC,
    CAROL,
    DAVE,
    ERIN,
    TORNADO,
    WEI,
    XBT_LISTED,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.models import Tag, TagKind, Transfer
from txmon.store.sqlite import SqliteStore

XBT_TAG = Tag(address=XBT_LISTED, chain="bitcoin", source="ofac-sdn", kind=TagKind.SANCTION,
              entity="listed entity", category="sanctioned")


def _run(tmp_path: Path, transfers: list[Transfer], **config: object) -> list[Exposure]:
    store = SqliteStore(tmp_path / "s.db")
    tracker = ExposureTracker(store, ExposureConfig(**config))  # type: ignore[arg-type]
    enricher = Enricher(DictLookup([tornado_tag(TORNADO), XBT_TAG]))
    try:
        return [tracker.observe(enricher.enrich(t)) for t in transfers]
    finally:
        store.close()


CHAIN = [
    transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 10 * WEI)]),  # hop 1
    transfer(2, [(ALICE, 4 * WEI)], [(BOB, 4 * WEI)]),  # hop 2
    transfer(3, [(BOB, 4 * WEI)], [(CAROL, 4 * WEI)]),  # hop 3
    transfer(4, [(CAROL, 4 * WEI)], [(DAVE, 4 * WEI)]),  # hop 4: beyond max_hops=3
]


def test_chain_of_transfers_counts_hops_and_stops_at_max(tmp_path: Path) -> None:
    got = _run(tmp_path, CHAIN, model="haircut", max_hops=3)
    assert [e.hops for e in got] == [1, 2, 3, 0]
    assert [e.tainted for e in got] == [10 * WEI, 4 * WEI, 4 * WEI, 0]
    assert [e.share_ppm for e in got[:3]] == [1_000_000] * 3
    assert all(e.sources == (TORNADO,) for e in got[:3])
    third = got[2]
    assert [(h.sender, h.receiver, h.amount, h.tainted) for h in third.path] == [
        (TORNADO, ALICE, 10 * WEI, 10 * WEI),
        (ALICE, BOB, 4 * WEI, 4 * WEI),
        (BOB, CAROL, 4 * WEI, 4 * WEI),
    ]
    assert [h.transfer_id for h in third.path] == [t.id for t in CHAIN[:3]]


def test_haircut_dilution_and_min_share(tmp_path: Path) -> None:
    transfers = [
        transfer(1, [(TORNADO, 1 * WEI)], [(ALICE, 1 * WEI)]),
        transfer(2, [(ERIN, 99 * WEI)], [(ALICE, 99 * WEI)]),  # clean funds dilute to 1%
        transfer(3, [(ALICE, 50 * WEI)], [(BOB, 50 * WEI)]),  # 1% >= min 1%: passes
        transfer(4, [(BOB, 50 * WEI)], [(CAROL, 50 * WEI)]),
    ]
    got = _run(tmp_path, transfers, model="haircut", min_share_ppm=10_000)
    assert got[1].tainted == 0  # ERIN is clean
    assert (got[2].tainted, got[2].share_ppm, got[2].hops) == (WEI // 2, 10_000, 2)
    assert (got[3].tainted, got[3].hops) == (WEI // 2, 3)
    strict = _run(tmp_path / "b", transfers, model="haircut", min_share_ppm=20_000)
    assert strict[2].tainted == 0 and strict[3].tainted == 0


def test_poison_ignores_dilution(tmp_path: Path) -> None:
    transfers = [
        transfer(1, [(TORNADO, 1)], [(ALICE, 1)]),
        transfer(2, [(ERIN, 99 * WEI)], [(ALICE, 99 * WEI)]),
        transfer(3, [(ALICE, 50 * WEI)], [(BOB, 50 * WEI)]),
    ]
    got = _run(tmp_path, transfers, model="poison")
    assert (got[2].tainted, got[2].share_ppm, got[2].max_share_ppm) == (50 * WEI, 1_000_000,
                                                                        1_000_000)


def test_fifo_clean_funds_first(tmp_path: Path) -> None:
    transfers = [
        transfer(1, [(ERIN, 5 * WEI)], [(ALICE, 5 * WEI)]),  # untracked: ALICE unknown yet
        transfer(2, [(TORNADO, 5 * WEI)], [(ALICE, 5 * WEI)]),
        transfer(3, [(ERIN, 5 * WEI)], [(ALICE, 5 * WEI)]),  # now tracked: clean lot after
        transfer(4, [(ALICE, 5 * WEI)], [(BOB, 5 * WEI)]),  # oldest tracked lot: tainted
        transfer(5, [(ALICE, 5 * WEI)], [(CAROL, 5 * WEI)]),  # then the clean lot
    ]
    got = _run(tmp_path, transfers, model="fifo")
    assert [e.tainted for e in got] == [0, 5 * WEI, 0, 5 * WEI, 0]


def test_bitcoin_many_inputs_haircut_vs_poison(tmp_path: Path) -> None:
    """1 BTC from a listed address and 3 BTC clean in, two outputs of 2 BTC out."""
    coin = 10**8
    tx = transfer(1, [(XBT_LISTED, coin), ("bc1qclean", 3 * coin)],
                  [("bc1qout1", 2 * coin), ("bc1qout2", 2 * coin - 1_000)], asset=BTC)
    haircut = _run(tmp_path, [tx], model="haircut")[0]
    assert haircut.share_ppm == 250_000
    assert haircut.tainted == 2 * coin // 4 + (2 * coin - 1_000) // 4
    poison = _run(tmp_path / "p", [tx], model="poison")[0]
    assert poison.tainted == 4 * coin - 1_000


def test_reprocessing_a_transfer_is_a_no_op(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    tracker = ExposureTracker(store, ExposureConfig(model="haircut"))
    enricher = Enricher(DictLookup([tornado_tag(TORNADO)]))
    first = [tracker.observe(enricher.enrich(t)) for t in CHAIN[:2]]
    state_before = list(store.scan("exposure:haircut:a:"))
    again = tracker.observe(enricher.enrich(CHAIN[1]))  # redelivered after a crash
    assert again == first[1]
    assert list(store.scan("exposure:haircut:a:")) == state_before
    repo = TaintRepository(store, "haircut")
    alice = repo.load("ethereum:ETH", [ALICE])[ALICE]
    assert (alice.balance, alice.tainted, alice.hops) == (6 * WEI, 6 * WEI, 1)
    store.close()


@pytest.mark.parametrize("model", ["poison", "haircut", "fifo"])
def test_same_input_same_state(tmp_path: Path, model: str) -> None:
    a = _run(tmp_path / "a", CHAIN, model=model)
    b = _run(tmp_path / "b", CHAIN, model=model)
    assert [e.to_wire() for e in a] == [e.to_wire() for e in b]


def test_batch_prefetch_gives_the_same_answers(tmp_path: Path) -> None:
    """The engine loads a batch's state in one round trip; answers must not change."""
    store = SqliteStore(tmp_path / "s.db")
    tracker = ExposureTracker(store, ExposureConfig(model="haircut"))
    enricher = Enricher(DictLookup([tornado_tag(TORNADO)]))
    tracker.prefetch(CHAIN)
    batched = [tracker.observe(enricher.enrich(t)) for t in CHAIN]
    tracker.release()
    assert [e.to_wire() for e in batched] == [e.to_wire() for e in
                                              _run(tmp_path / "plain", CHAIN, model="haircut")]
    store.close()


def test_pending_transfer_is_evaluated_but_changes_no_state(tmp_path: Path) -> None:
    from dataclasses import replace

    from txmon.models import TransferStatus

    pending = replace(CHAIN[0], status=TransferStatus.PENDING)
    got = _run(tmp_path, [pending, CHAIN[1]], model="haircut")
    assert (got[0].tainted, got[0].hops) == (10 * WEI, 1)  # what it would carry
    assert got[1].tainted == 0  # ALICE was never credited
