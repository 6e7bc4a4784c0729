"""What one transfer did to the taint state, kept so that a reorg can take it back.

Taint models are not invertible (haircut floors, FIFO folds lots), so the undo record
keeps, per address the transfer changed, the state *before* and the state *after*.
Retracting the transfer restores "before" — exactly, because the follower retracts the
transfers of orphaned blocks newest first, and nothing after them on the same chain is
still applied (it was orphaned too). An address whose state is no longer what the
transfer left (a retraction out of order) is left as it is and reported: keeping taint
is the conservative error for sanctions compliance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rules.exposure.state import TaintState

Change = tuple[TaintState | None, TaintState | None]  # (before, after); None = untainted


@dataclass(frozen=True, slots=True)
class UndoRecord:
    """The changes one applied transfer made in one asset."""

    asset: str
    changes: Mapping[str, Change]

    def restore(self, current: Mapping[str, TaintState]) -> tuple[dict[str, TaintState | None],
                                                                  list[str]]:
        """States to write back, and the addresses skipped because they moved on since."""
        restored: dict[str, TaintState | None] = {}
        skipped: list[str] = []
        for address, (before, after) in self.changes.items():
            if current.get(address) == after:
                restored[address] = before
            else:
                skipped.append(address)
        return restored, skipped

    def to_wire(self) -> dict[str, Any]:
        return {"asset": self.asset, "c": {
            a: [None if b is None else b.to_wire(), None if n is None else n.to_wire()]
            for a, (b, n) in self.changes.items()}}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> UndoRecord:
        return cls(str(data["asset"]), {
            a: (None if b is None else TaintState.from_wire(b),
                None if n is None else TaintState.from_wire(n))
            for a, (b, n) in data["c"].items()})
