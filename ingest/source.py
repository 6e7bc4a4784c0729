"""The extension point every chain implements so that one follower serves them all.

A :class:`ChainSource` knows how to read one chain's blocks and turn them into canonical
transfers; the follower (:mod:`ingest.follower`) owns everything else: head tracking,
confirmation depth, reorg detection and retraction, checkpoints after delivery, and
the live/replay modes. Live following and replay are therefore one code path.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.deadletter import Rejected
from txmon.models import Transfer


@dataclass(frozen=True, slots=True)
class BlockRef:
    """Identity of a block: enough to detect a reorg (parent hash mismatch)."""

    number: int
    hash: str
    parent_hash: str
    time: dt.datetime


@dataclass(frozen=True, slots=True)
class Block:
    """A block's identity and every canonical transfer extracted from it, in order.

    ``rejects`` holds the pieces of the block that could not become transfers (malformed
    transaction, log or trace frame); the follower dead-letters them with the transfers.
    """

    ref: BlockRef
    transfers: tuple[Transfer, ...]
    rejects: tuple[Rejected, ...] = ()


class ChainSource(ABC):
    """Reads one chain. Implementations: Ethereum (web3) and Bitcoin (python-bitcoinlib)."""

    chain: str
    network: str

    @abstractmethod
    def head(self) -> int:
        """Height of the node's current best block."""

    @abstractmethod
    def block_ref(self, number: int) -> BlockRef:
        """The canonical block at ``number`` as the node sees it now (header only)."""

    @abstractmethod
    def fetch_blocks(self, numbers: Sequence[int]) -> list[Block]:
        """Full blocks with their transfers, in the order of ``numbers``.

        May fetch concurrently and in batches; must return exactly one Block per number.
        The follower calls it from up to ``workers`` threads at once, each with a chunk of
        consecutive numbers, and consumes the chunks in order: an implementation must be
        thread-safe, and one whose extraction depends on earlier blocks (a UTXO cache)
        must not assume the previous chunk was processed first — or be run with workers=1.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, most sources hold no resources
        """Release connections."""
