"""``BitcoinSource``: the :class:`~ingest.source.ChainSource` the shared follower runs for Bitcoin.

It joins a block reader — a node over JSON-RPC (:class:`.node.BitcoinNode`) or Bitcoin
Core's block files (:class:`.blkfiles.BlockFileReader`) — with the decoder that turns raw
blocks into transfers. Head tracking, confirmations, reorgs and checkpoints are the
follower's job, exactly as for Ethereum.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ingest.bitcoin.blkfiles import BlockFileReader
from ingest.bitcoin.blocks import CHAIN, BlockDecoder
from ingest.bitcoin.node import BitcoinNode, FetchedBlock, connect
from ingest.bitcoin.utxo import DEFAULT_SPENT_LAG, UtxoCache
from ingest.rpc import RpcClient
from ingest.source import Block, BlockRef, ChainSource
from txmon.addresses.networks import Network
from txmon.store.base import Store

log = logging.getLogger(__name__)


class BlockReader(Protocol):
    """Where raw blocks come from, by height on the reader's current best chain."""

    def head(self) -> int: ...

    def block_ref(self, number: int) -> BlockRef: ...

    def raw_blocks(self, numbers: Sequence[int]) -> list[bytes]: ...


class BitcoinSource(ChainSource):
    """Bitcoin blocks → canonical transfers, one per transaction.

    Blocks must be *decoded* in chain order: each block's outputs go into the UTXO cache
    before a later block spends them (otherwise every such input is a miss that the node
    must answer, or, from block files without a node, an unresolved input). The follower
    fetches several chunks at once on a thread pool, so ``fetch_blocks`` reads the raw
    blocks concurrently but decodes a chunk only when no call for earlier blocks is in
    progress and the previous chunk ended just before it. A chunk at or before the
    expected height (a reorg rewind) goes at once; one that waits longer than
    ``order_timeout`` (its predecessor was cancelled) goes anyway, and its misses fall
    back to the node.
    """

    chain = CHAIN

    def __init__(
        self,
        reader: BlockReader,
        decoder: BlockDecoder,
        closing: RpcClient | None = None,
        order_timeout: float = 60.0,
    ) -> None:
        self.reader = reader
        self.decoder = decoder
        self.network = decoder.net.name
        self._closing = closing
        self._order_timeout = order_timeout
        self._turn = threading.Condition()
        self._next: int | None = None  # first height of the chunk expected next
        self._pending: list[int] = []  # first heights of the calls in progress

    @classmethod
    def from_url(cls, url: str, net: Network, store: Store) -> BitcoinSource:
        """Follow the node at ``http://user:password@host:port`` (see :func:`rpc_source`)."""
        return rpc_source(connect(url), net, store)

    def head(self) -> int:
        return self.reader.head()

    def block_ref(self, number: int) -> BlockRef:
        return self.reader.block_ref(number)

    def fetch_blocks(self, numbers: Sequence[int]) -> list[Block]:
        if not numbers:
            return []
        start = numbers[0]
        with self._turn:
            self._pending.append(start)  # registered before the (slow) raw fetch
        try:
            fetched = self._read(numbers)
            with self._turn:
                self._wait_for_turn(start)
                try:
                    return [
                        self.decoder.decode(raw, n, spent)
                        for (raw, spent), n in zip(fetched, numbers, strict=True)
                    ]
                finally:
                    self._next = numbers[-1] + 1
        finally:
            with self._turn:
                self._pending.remove(start)
                self._turn.notify_all()

    def _read(self, numbers: Sequence[int]) -> list[FetchedBlock]:
        """Raw blocks, with their prevouts where the reader has them (a node: verbosity 3)."""
        fetch = getattr(self.reader, "fetch", None)
        if fetch is not None:
            return fetch(numbers)
        return [(raw, None) for raw in self.reader.raw_blocks(numbers)]

    def _wait_for_turn(self, start: int) -> None:
        """Wait (lock held) until no earlier chunk is pending or expected before ``start``."""
        deadline = time.monotonic() + self._order_timeout
        while min(self._pending) < start or (self._next is not None and self._next < start):
            left = deadline - time.monotonic()
            if left <= 0:
                log.warning(
                    "bitcoin: block %d decoded out of order (expected %s)", start, self._next
                )
                return
            self._turn.wait(left)

    def close(self) -> None:
        if self._closing is not None:
            self._closing.close()


def rpc_source(
    rpc: RpcClient, net: Network, store: Store, spent_lag: int = DEFAULT_SPENT_LAG
) -> BitcoinSource:
    """Follow a node: blocks and UTXO-cache misses both come from it."""
    node = BitcoinNode(rpc)
    decoder = BlockDecoder(net, UtxoCache(store, net, fetcher=node, spent_lag=spent_lag))
    return BitcoinSource(node, decoder, closing=rpc)


def blocks_dir_source(
    blocks_dir: Path,
    net: Network,
    store: Store,
    rpc: RpcClient | None = None,
    start_height: int | None = None,
) -> BitcoinSource:
    """Replay Core's block files; UTXO-cache misses go to ``rpc`` if given, else stay unresolved.

    ``start_height``: the height of the first block in the files when they do not start at
    genesis (checked against its BIP-34 coinbase height where it has one).
    """
    reader = BlockFileReader(blocks_dir, net, start_height=start_height)
    fetcher = None if rpc is None else BitcoinNode(rpc)
    decoder = BlockDecoder(net, UtxoCache(store, net, fetcher=fetcher))
    return BitcoinSource(reader, decoder, closing=rpc)
