"""A follower's durable state on the :class:`~txmon.store.base.Store` interface.

Two kinds of key under one prefix (``ingest:<chain>:<network>:<name>:``):

* ``checkpoint`` — the last block whose transfers the bus confirmed (number and hash);
* ``block:<number>`` — each recent block's ref and transfers, so that after a restart a
  reorg can still be answered with ``retracted`` copies of exactly what was published.

Every change is one atomic ``put_many``: the checkpoint never points at a block whose
record is missing, and a crash between bus flush and commit only causes a re-send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson

from ingest.source import Block, BlockRef
from txmon.models import Transfer
from txmon.store.base import Store
from txmon.wire import transfer_from_wire, transfer_to_wire


@dataclass(frozen=True, slots=True)
class Position:
    """The last delivered block."""

    number: int
    hash: str


class FollowerState:
    """Checkpoint and recent blocks of one follower (one chain, network and name)."""

    def __init__(self, store: Store, prefix: str) -> None:
        self._store = store
        self.prefix = prefix

    def position(self) -> Position | None:
        raw = self._store.get(self.prefix + "checkpoint")
        if raw is None:
            return None
        data = orjson.loads(raw)
        return Position(int(data["number"]), str(data["hash"]))

    def recent(self) -> dict[int, BlockRef]:
        """Refs of the recent blocks kept for reorg handling, by number."""
        refs = {}
        for _, raw in self._store.scan(self.prefix + "block:"):
            ref = _ref_from_wire(orjson.loads(raw)["ref"])
            refs[ref.number] = ref
        return refs

    def transfers(self, number: int) -> list[Transfer]:
        """The transfers published for recent block ``number`` (empty if not kept)."""
        raw = self._store.get(self._block_key(number))
        if raw is None:
            return []
        return [transfer_from_wire(t) for t in orjson.loads(raw)["transfers"]]

    def commit(
        self, position: Position, keep: Sequence[Block] = (), drop: Iterable[int] = ()
    ) -> None:
        """Atomically move the checkpoint, store ``keep`` blocks and forget ``drop``."""
        items = {self.prefix + "checkpoint": orjson.dumps(
            {"number": position.number, "hash": position.hash})}  # fmt: skip
        for block in keep:
            items[self._block_key(block.ref.number)] = orjson.dumps(
                {"ref": _ref_to_wire(block.ref),
                 "transfers": [transfer_to_wire(t) for t in block.transfers]}
            )  # fmt: skip
        self._store.put_many(items, delete=[self._block_key(n) for n in drop])

    def reset(self) -> int:
        """Forget everything (a fresh start); returns how many keys went."""
        return self._store.delete_prefix(self.prefix)

    def _block_key(self, number: int) -> str:
        return f"{self.prefix}block:{number:012d}"  # zero-padded: scan order = number order


def _ref_to_wire(ref: BlockRef) -> dict[str, object]:
    return {"number": ref.number, "hash": ref.hash, "parent_hash": ref.parent_hash,
            "time": ref.time.timestamp()}  # fmt: skip


def _ref_from_wire(data: dict[str, object]) -> BlockRef:
    return BlockRef(
        number=int(str(data["number"])),
        hash=str(data["hash"]),
        parent_hash=str(data["parent_hash"]),
        time=dt.datetime.fromtimestamp(float(str(data["time"])), dt.UTC),
    )
