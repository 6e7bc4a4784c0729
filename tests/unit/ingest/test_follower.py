"""The chain-agnostic follower: order, confirmations, reorg retraction, checkpoints."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import time
from collections.abc import Sequence

import pytest

from ingest.deadletter import Rejected
from ingest.follower import Follower, ReorgTooDeep
from ingest.source import Block, BlockRef, ChainSource
from txmon.addresses import UNKNOWN
from txmon.bus.base import DEADLETTER, TRANSFERS, Producer
from txmon.chains import CHAINS, Chain
from txmon.errors import DeliveryError
from txmon.models import Asset, Leg, Transfer, TransferStatus
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def testchain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the in-memory chain, so that the bus's transfer schema accepts its records."""
    monkeypatch.setitem(CHAINS, "testchain", Chain("testchain", UNKNOWN,
                                                   re.compile(r"0x[0-9a-z]+"), "TST", 8,
                                                   source="", options=frozenset()))


class MemoryChain(ChainSource):
    """A chain held in memory: blocks can be mined and the tip replaced (a reorg)."""

    chain = "testchain"
    network = "dev"

    def __init__(self, jitter: bool = False) -> None:
        self.blocks: list[Block] = []
        self.jitter = jitter
        self.fetched: list[int] = []
        self.mine(branch="a")  # genesis

    def mine(self, count: int = 1, branch: str = "a", txs: Sequence[str] | None = None) -> None:
        for _ in range(count):
            n = len(self.blocks)
            parent = self.blocks[-1].ref.hash if self.blocks else "0x"
            ref = BlockRef(n, f"0x{branch}{n:04d}", parent, T0 + dt.timedelta(seconds=12 * n))
            hashes = txs if txs is not None else [f"0xtx{branch}{n}x{i}" for i in range(2)]
            self.blocks.append(Block(ref, tuple(_transfer(ref, h) for h in hashes)))

    def reorg(self, keep_below: int, count: int, branch: str, txs: Sequence[str] | None = None):
        del self.blocks[keep_below:]
        self.mine(count, branch, txs)

    def head(self) -> int:
        return len(self.blocks) - 1

    def block_ref(self, number: int) -> BlockRef:
        return self.blocks[number].ref

    def fetch_blocks(self, numbers: Sequence[int]) -> list[Block]:
        if self.jitter:
            time.sleep(random.uniform(0, 0.01))  # chunks finish out of order
        self.fetched.extend(numbers)
        return [self.blocks[n] for n in numbers]


def _transfer(ref: BlockRef, tx_hash: str) -> Transfer:
    return Transfer(
        chain="testchain", network="dev", asset=Asset("testchain", "TST", 8), tx_hash=tx_hash,
        index=0, block_number=ref.number, block_hash=ref.hash, block_time=ref.time,
        inputs=(Leg("alice", 5),), outputs=(Leg("bob", 5),),
    )  # fmt: skip


class RecordingProducer(Producer):
    """Keeps what was flushed; ``fail_next_flush`` simulates a broker that did not ack."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, bytes, bytes | None, tuple]] = []
        self.delivered: list[tuple[str, bytes, bytes | None, tuple]] = []
        self.fail_next_flush = False

    def send(self, topic, value, key=None, headers=()):
        self.pending.append((topic, value, key, tuple(headers)))

    def flush(self, timeout: float = 30.0) -> None:
        if self.fail_next_flush:
            self.fail_next_flush = False
            self.pending.clear()  # lost in flight
            raise DeliveryError("broker did not acknowledge")
        self.delivered.extend(self.pending)
        self.pending.clear()

    def close(self) -> None:
        self.flush()

    def transfers(self) -> list[Transfer]:
        return [decode_transfer(v) for t, v, _, _ in self.delivered if t == TRANSFERS]

    def seen(self) -> list[tuple[str, str, str | None]]:
        return [(t.tx_hash, t.status.value, t.block_hash) for t in self.transfers()]


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "s.db")
    yield s
    s.close()


def follower(chain, store, producer, **kw) -> Follower:
    kw.setdefault("batch_blocks", 2)
    kw.setdefault("workers", 2)
    return Follower(chain, store, producer, **kw)


def drain(f: Follower, start=None, confirmations=0) -> None:
    while f.step(start, confirmations):
        pass


def confirmed_hashes(chain: MemoryChain, first: int = 0) -> list[str]:
    return [t.tx_hash for b in chain.blocks[first:] for t in b.transfers]


def test_follow_delivers_every_transfer_once_in_block_order(store):
    chain, producer = MemoryChain(jitter=True), RecordingProducer()
    chain.mine(9)
    f = follower(chain, store, producer)
    drain(f, start=0)
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain)
    assert all(key == b"testchain" for _, _, key, _ in producer.delivered)
    assert f.state.position().number == 9
    assert (f.metrics.blocks, f.metrics.transfers, f.metrics.last_block) == (10, 20, 9)
    assert f.metrics.last_progress is not None and f.metrics.lag() == 0


def test_without_start_following_begins_at_the_confirmed_head(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(9)
    drain(follower(chain, store, producer), confirmations=2)
    assert [t.block_number for t in producer.transfers()] == [7, 7]


def test_only_blocks_k_deep_are_delivered(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(9)
    f = follower(chain, store, producer)
    drain(f, start=0, confirmations=3)
    assert max(t.block_number for t in producer.transfers()) == 6
    chain.mine(2)
    drain(f, start=0, confirmations=3)
    assert max(t.block_number for t in producer.transfers()) == 8
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain)[: 9 * 2]


def test_reorg_retracts_orphaned_transfers_then_delivers_the_new_branch(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(9)
    f = follower(chain, store, producer)
    drain(f, start=0)
    before = len(producer.delivered)
    # blocks 7-9 are replaced by 7'-10'; a transaction of old block 8 is re-mined in 8'
    chain.reorg(keep_below=7, count=1, branch="b")
    chain.mine(1, branch="b", txs=["0xtxa8x0", "0xnew"])
    chain.mine(2, branch="b")
    drain(f, start=0)
    after = producer.seen()[before:]
    retracted = [(h, s, b) for h, s, b in after if s == "retracted"]
    assert retracted == [  # newest first, within a block too: the reverse of delivery
        ("0xtxa9x1", "retracted", "0xa0009"), ("0xtxa9x0", "retracted", "0xa0009"),
        ("0xtxa8x1", "retracted", "0xa0008"), ("0xtxa8x0", "retracted", "0xa0008"),
        ("0xtxa7x1", "retracted", "0xa0007"), ("0xtxa7x0", "retracted", "0xa0007"),
    ]  # fmt: skip
    # retractions come first, then the canonical branch, confirmed, in order
    assert after[:6] == retracted
    assert [h for h, s, _ in after[6:]] == confirmed_hashes(chain, 7)
    assert all(s == "confirmed" for _, s, _ in after[6:])
    # the re-mined transaction keeps its id; its new copy carries the new block
    remined = [t for t in producer.transfers() if t.tx_hash == "0xtxa8x0"]
    assert [(t.status, t.block_hash) for t in remined] == [
        (TransferStatus.CONFIRMED, "0xa0008"),
        (TransferStatus.RETRACTED, "0xa0008"),
        (TransferStatus.CONFIRMED, "0xb0008"),
    ]
    assert len({t.id for t in remined}) == 1
    assert f.state.position().hash == "0xb0010"
    assert (f.metrics.reorgs, f.metrics.retracted) == (1, 6)


def test_reorg_is_retracted_after_a_restart_from_the_stored_blocks(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(5)
    first = follower(chain, store, producer)
    drain(first, start=0)
    first.close()
    chain.reorg(keep_below=4, count=3, branch="c")
    second = follower(chain, store, producer)  # a new process: nothing in memory
    drain(second, start=0)
    retracted = [(t.tx_hash, t.block_number) for t in producer.transfers()
                 if t.status is TransferStatus.RETRACTED]  # fmt: skip
    assert retracted == [("0xtxa5x1", 5), ("0xtxa5x0", 5), ("0xtxa4x1", 4), ("0xtxa4x0", 4)]
    assert [t.block_hash for t in producer.transfers()][-6:] == ["0xc0004"] * 2 + [
        "0xc0005"
    ] * 2 + ["0xc0006"] * 2


def test_a_shortened_chain_is_retracted_even_without_new_blocks(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(5)
    f = follower(chain, store, producer)
    drain(f, start=0)
    del chain.blocks[4:]  # like debug_setHead(3): head below the checkpoint
    assert f.step(0) == 2
    assert {t.block_number for t in producer.transfers() if t.status == "retracted"} == {4, 5}
    assert f.state.position().number == 3


def test_a_reorg_shallower_than_the_confirmation_depth_is_never_seen(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(9)
    f = follower(chain, store, producer)
    drain(f, start=0, confirmations=3)
    chain.reorg(keep_below=8, count=3, branch="d")
    drain(f, start=0, confirmations=3)
    assert all(t.status is TransferStatus.CONFIRMED for t in producer.transfers())
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain)[: 8 * 2]


def test_reorg_deeper_than_kept_blocks_stops_loudly(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(9)
    f = follower(chain, store, producer, keep=3)
    drain(f, start=0)
    chain.reorg(keep_below=2, count=9, branch="e")
    with pytest.raises(ReorgTooDeep):
        f.step(0)


def test_restart_resumes_after_the_checkpoint_without_gap_or_duplicate(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(4)
    first = follower(chain, store, producer)
    drain(first, start=0)
    first.close()
    chain.mine(5)
    second = follower(chain, store, producer)
    drain(second, start=0)  # start is ignored: the checkpoint wins
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain)
    assert chain.fetched.count(3) == 1 and chain.fetched.count(4) == 1


def test_failed_flush_leaves_the_checkpoint_and_a_restart_redelivers(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(3)
    f = follower(chain, store, producer)
    drain(f, start=0)
    assert f.state.position().number == 3
    chain.mine(2)
    producer.fail_next_flush = True
    with pytest.raises(DeliveryError):
        f.step(0)
    assert f.state.position().number == 3  # not advanced past undelivered blocks
    f.close()
    restarted = follower(chain, store, producer)
    drain(restarted, start=0)
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain)


def test_rejected_items_go_to_the_dead_letter_topic_with_coordinates(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(1)
    good = chain.blocks[1]
    bad = Rejected("ERC-20 Transfer data is not one 32-byte word", 1, good.ref.hash,
                   "0xtxa1x0", "log 3", '{"data":"0x"}')  # fmt: skip
    chain.blocks[1] = Block(good.ref, good.transfers, (bad,))
    f = follower(chain, store, producer)
    drain(f, start=0)
    [(_topic, value, _, headers)] = [d for d in producer.delivered if d[0] == DEADLETTER]
    assert value == b'{"data":"0x"}'
    assert dict(headers) == {
        "reason": b"ERC-20 Transfer data is not one 32-byte word", "original": b"inline",
        "sha256": hashlib.sha256(b'{"data":"0x"}').hexdigest().encode(), "size": b"13",
        "source.chain": b"testchain", "source.block": b"1", "source.block_hash": b"0xa0001",
        "source.tx": b"0xtxa1x0", "source.item": b"log 3",
    }  # fmt: skip
    assert f.metrics.dead_letters == 1 and len(producer.transfers()) == 4


def test_replay_fetches_concurrently_and_delivers_in_order(store):
    chain, producer = MemoryChain(jitter=True), RecordingProducer()
    chain.mine(40)
    progress: list[int] = []
    f = follower(chain, store, producer, name="replay", batch_blocks=3, workers=4)
    f.replay(5, 37, progress=lambda done, end: progress.append(done))
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain, 5)[: 33 * 2]
    assert progress == sorted(progress) and progress[-1] == 37
    assert store.get(f.state.prefix + "block:000000000010") is None  # replay keeps no blocks


def test_replay_resumes_after_an_interruption(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(20)
    f = follower(chain, store, producer, name="replay", batch_blocks=2)
    producer_calls = 0

    def stop_after_two(done: int, end: int) -> None:
        nonlocal producer_calls
        producer_calls += 1
        if producer_calls == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        f.replay(0, 19, progress=stop_after_two)
    f.close()
    follower(chain, store, producer, name="replay", batch_blocks=2).replay(0, 19)
    assert [t.tx_hash for t in producer.transfers()] == confirmed_hashes(chain)[:40]


def test_a_reorg_of_the_very_first_delivered_block_is_retracted(store):
    chain, producer = MemoryChain(), RecordingProducer()
    chain.mine(5)
    f = follower(chain, store, producer)
    drain(f, start=5)  # no checkpoint: only block 5 is known, and its parent hash
    chain.reorg(keep_below=5, count=1, branch="f")
    drain(f, start=5)
    assert [(t.block_hash, t.status.value) for t in producer.transfers()] == [
        ("0xa0005", "confirmed"), ("0xa0005", "confirmed"),
        ("0xa0005", "retracted"), ("0xa0005", "retracted"),
        ("0xf0005", "confirmed"), ("0xf0005", "confirmed"),
    ]  # fmt: skip
