"""Pieces of block data that could not become transfers, with their coordinates.

A source never drops a bad transaction, log or trace frame silently: it returns a
:class:`Rejected` beside the good transfers of the same block, and the follower routes it
through the kernel's :class:`txmon.deadletter.DeadLetters` in the same flush as the
transfers, so the checkpoint covers both.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from txmon.deadletter import DeadLetters


@dataclass(frozen=True, slots=True)
class Rejected:
    """One piece of block data that could not be turned into a transfer."""

    reason: str
    block_number: int | None = None
    block_hash: str | None = None
    tx_hash: str | None = None
    item: str | None = None  # what inside the tx: "tx", "receipt", "log 3", "frame 0.1", "trace"
    original: str = ""  # the node's JSON for that item, as text

    def where(self, chain: str) -> dict[str, object]:
        """Coordinates for the dead letter's headers (``source.chain``, ``source.block``…)."""
        found = {"chain": chain, "block": self.block_number, "block_hash": self.block_hash,
                 "tx": self.tx_hash, "item": self.item}  # fmt: skip
        return {k: v for k, v in found.items() if v is not None}


def original_json(obj: object) -> str:
    """The offending object as JSON text (for the dead letter), never raising."""
    try:
        return orjson.dumps(obj, default=str).decode()
    except TypeError:
        return repr(obj)


def dead_letter(dead: DeadLetters, chain: str, rejected: Rejected) -> None:
    """Queue ``rejected`` on the dead-letter topic (delivered by the caller's next flush)."""
    dead.send(rejected.original.encode(), rejected.reason, rejected.where(chain))
