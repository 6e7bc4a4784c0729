"""One follower for every chain: live head following and replay are one code path.

A :class:`Follower` reads blocks from a :class:`~ingest.source.ChainSource`, publishes each
transfer to ``txmon.transfers`` (key = chain, so a chain's transfers stay in order) and
each rejected item to ``txmon.deadletter``, then — only after ``producer.flush()`` returned
— moves its checkpoint. A crash therefore re-sends, never loses; deterministic transfer ids
make the re-send harmless downstream, and a clean restart resumes exactly after the last
delivered block (no gap, no duplicate).

Reorgs (live mode): each block's parent hash must equal the hash of the block delivered
before it. On a mismatch the follower walks back over the recent blocks it kept (in the
store, so this works after a restart) to the last one the node still has, publishes
``retracted`` copies of every transfer of the orphaned blocks (newest first, within a block
too: downstream undoes taint state in the reverse of the order it applied it), moves the
checkpoint back to the fork point, and then delivers the new canonical blocks as usual. A
transaction re-mined in the new branch keeps its id, so downstream sees confirmed →
retracted → confirmed for it, in that order (same key, same partition).

Confirmations: only blocks at depth ≥ K below the head are delivered. K = 0 delivers at
once and relies on retraction; a larger K trades latency for fewer retractions.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from ingest.checkpoint import FollowerState, Position
from ingest.deadletter import dead_letter
from ingest.metrics import FollowerMetrics
from ingest.prefetch import chunks, fetch_in_order
from ingest.source import Block, BlockRef, ChainSource
from txmon.bus.base import DEADLETTER, TRANSFERS, Producer
from txmon.deadletter import DeadLetters
from txmon.errors import TxmonError
from txmon.models import TransferStatus
from txmon.store.base import Store
from txmon.wire import encode_transfer

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (last delivered block, last block of the range)


class ReorgTooDeep(TxmonError):
    """The fork point is older than every block the follower kept: it cannot retract."""


BATCH_BLOCKS = 10  # blocks per source call (--batch-blocks)
WORKERS = 4  # source calls in flight (--workers)
KEEP = 128  # recent blocks kept for retraction (--keep)


class Follower:
    """Follows or replays one chain into the bus; see the module docstring for guarantees.

    ``name`` separates checkpoints (e.g. ``live`` and ``replay``); ``batch_blocks`` is the
    number of blocks per source call; ``workers`` how many such calls run at once; ``keep``
    how many recent blocks are kept for retraction (deeper reorgs raise
    :class:`ReorgTooDeep`); ``topic`` / ``deadletter_topic`` are the full (possibly
    namespaced, see ``Settings.topic``) topic names.
    """

    def __init__(
        self,
        source: ChainSource,
        store: Store,
        producer: Producer,
        *,
        name: str = "live",
        batch_blocks: int = BATCH_BLOCKS,
        workers: int = WORKERS,
        keep: int = KEEP,
        metrics: FollowerMetrics | None = None,
        topic: str = TRANSFERS,
        deadletter_topic: str = DEADLETTER,
    ) -> None:
        self.source = source
        self.state = FollowerState(store, f"ingest:{source.chain}:{source.network}:{name}:")
        self.metrics = metrics or FollowerMetrics()
        self._producer = producer
        self._topic = topic
        self._dead = DeadLetters(producer, topic=deadletter_topic)
        self._key = source.chain.encode()
        self._batch = batch_blocks
        self._workers = workers
        self._keep = keep
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=f"fetch-{source.chain}")
        self._recent: dict[int, BlockRef] = self.state.recent()

    # -- live ----------------------------------------------------------------------------

    def follow(
        self,
        start: int | None = None,
        confirmations: int = 0,
        *,
        poll_interval: float = 2.0,
        stop: threading.Event | None = None,
    ) -> None:
        """Deliver blocks as they reach depth ``confirmations`` until ``stop`` is set.

        Without a checkpoint, starts at ``start`` (default: the current confirmed head);
        with one, resumes after it and ``start`` is ignored.
        """
        stop = stop or threading.Event()
        while not stop.is_set():
            if self.step(start, confirmations) == 0:
                stop.wait(poll_interval)

    def step(self, start: int | None = None, confirmations: int = 0) -> int:
        """One round of :meth:`follow`; returns how many blocks were delivered or retracted."""
        head = self.source.head()
        self.metrics.head = head
        target = head - confirmations
        position = self.state.position()
        if position is None:
            first = max(0, target if start is None else start)
        else:
            first = position.number + 1
        if first > target:
            if position is not None and not self._still_canonical(position, head):
                return self._rewind(head)
            return 0
        last = min(target, first + self._batch * self._workers - 1)
        blocks = [b for part in fetch_in_order(
            self._pool, self.source.fetch_blocks, chunks(first, last, self._batch), self._workers
        ) for b in part]  # fmt: skip
        connected = _connected_prefix(blocks, position)
        if not connected:
            return self._rewind(head)
        self._deliver(connected, head)
        return len(connected)

    def _still_canonical(self, position: Position, head: int) -> bool:
        if head < position.number:
            return False
        return self.source.block_ref(position.number).hash == position.hash

    def _rewind(self, head: int) -> int:
        """Retract the orphaned blocks and move the checkpoint back to the fork point."""
        fork = self._fork_point(head)
        orphans = sorted((n for n in self._recent if n > fork.number), reverse=True)
        if not orphans:  # our tip is still canonical: a block fetched mid-reorg; try again
            return 0
        count = 0
        for number in orphans:
            for transfer in reversed(self.state.transfers(number)):  # newest first, as applied
                retracted = dataclasses.replace(transfer, status=TransferStatus.RETRACTED)
                self._producer.send(self._topic, encode_transfer(retracted), key=self._key)
                count += 1
        self._producer.flush()
        self.state.commit(Position(fork.number, fork.hash), drop=orphans)
        for number in orphans:
            del self._recent[number]
        log.warning(
            "%s reorg: %d block(s) after %d orphaned, %d transfer(s) retracted",
            self.source.chain, len(orphans), fork.number, count,
        )  # fmt: skip
        self.metrics.reorgs += 1
        self.metrics.retracted += count
        self.metrics.progressed(fork.number)
        return len(orphans)

    def _fork_point(self, head: int) -> BlockRef:
        """The newest kept block the node still has — or the parent of the oldest kept one
        (a follower that started at block N knows N's parent hash, so it can retract N)."""
        for number in sorted(self._recent, reverse=True):
            kept = self._recent[number]
            if number <= head and self.source.block_ref(number).hash == kept.hash:
                return kept
        if self._recent:
            oldest = self._recent[min(self._recent)]
            if 0 <= oldest.number - 1 <= head:
                parent = self.source.block_ref(oldest.number - 1)
                if parent.hash == oldest.parent_hash:
                    return parent
        raise ReorgTooDeep(
            f"{self.source.chain}: no kept block is on the node's chain any more "
            f"(kept {len(self._recent)} blocks); the fork is deeper than --keep"
        )

    # -- replay --------------------------------------------------------------------------

    def replay(
        self, start: int, end: int, *, resume: bool = True, progress: Progress | None = None
    ) -> FollowerMetrics:
        """Deliver blocks ``start..end`` in order; with ``resume``, after the checkpoint.

        Replay is for settled history: blocks are not kept for retraction, and a broken
        parent-hash chain inside the range raises (use :meth:`follow` near the head).
        """
        position = self.state.position() if resume else None
        if position is None or not start - 1 <= position.number < end:
            position = None
        first = start if position is None else position.number + 1
        parts = chunks(first, end, self._batch)
        for blocks in fetch_in_order(
            self._pool, self.source.fetch_blocks, parts, 2 * self._workers
        ):
            if len(_connected_prefix(blocks, position)) != len(blocks):
                raise TxmonError(f"{self.source.chain}: chain changed during replay near block "
                                 f"{blocks[0].ref.number}; replay settled blocks only")  # fmt: skip
            self._deliver(blocks, head=None)
            position = Position(blocks[-1].ref.number, blocks[-1].ref.hash)
            if progress is not None:
                progress(position.number, end)
        return self.metrics

    # -- delivery ------------------------------------------------------------------------

    def _deliver(self, blocks: Sequence[Block], head: int | None) -> None:
        """Publish, flush, then checkpoint (keeping recent blocks when following)."""
        transfers = rejects = 0
        for block in blocks:
            for transfer in block.transfers:
                self._producer.send(self._topic, encode_transfer(transfer), key=self._key)
            for rejected in block.rejects:
                dead_letter(self._dead, self.source.chain, rejected)
            transfers += len(block.transfers)
            rejects += len(block.rejects)
        self._producer.flush()  # raises DeliveryError: then the checkpoint stays where it was
        keep: list[Block] = []
        drop: list[int] = []
        if head is not None:
            horizon = head - self._keep
            keep = [b for b in blocks if b.ref.number > horizon]
            drop = [n for n in self._recent if n <= horizon]
        last = blocks[-1].ref
        self.state.commit(Position(last.number, last.hash), keep=keep, drop=drop)
        for number in drop:
            del self._recent[number]
        self._recent.update((b.ref.number, b.ref) for b in keep)
        self.metrics.blocks += len(blocks)
        self.metrics.transfers += transfers
        self.metrics.dead_letters += rejects
        self.metrics.progressed(last.number)

    def close(self) -> None:
        """Stop the fetch threads (the source, store and producer belong to the caller)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _connected_prefix(blocks: list[Block], position: Position | None) -> list[Block]:
    """The leading blocks that chain onto ``position`` and onto each other by parent hash."""
    previous = None if position is None else position.hash
    out = []
    for block in blocks:
        if previous is not None and block.ref.parent_hash != previous:
            break
        out.append(block)
        previous = block.ref.hash
    return out
