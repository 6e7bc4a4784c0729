"""Per-address taint state and its repository on the Store interface.

State exists only for addresses that hold (or held) tainted funds: tracking every
address's balance would be a full ledger. So the balance an address had before taint
first reached it is unknown and counted as zero — haircut and FIFO shares are therefore
upper bounds (conservative for compliance). Amounts are ints in base units; JSON carries
them as decimal strings (uint256 overflows 64-bit JSON integers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from txmon.store.base import Store
from txmon.wire import dumps, loads

MAX_SOURCES = 16  # evidence names at most this many source addresses (sorted, first kept)


@dataclass(frozen=True, slots=True)
class Hop:
    """One transfer on the way from a source to an address, with the amounts it moved."""

    transfer_id: str
    sender: str
    receiver: str
    amount: int
    tainted: int

    def to_wire(self) -> dict[str, Any]:
        return {"transfer_id": self.transfer_id, "from": self.sender, "to": self.receiver,
                "amount": str(self.amount), "tainted": str(self.tainted)}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Hop:
        return cls(data["transfer_id"], data["from"], data["to"], int(data["amount"]),
                   int(data["tainted"]))


@dataclass(frozen=True, slots=True)
class TaintState:
    """What is known about one address's funds in one asset.

    ``hops``: fewest transfers between a source and the tainted funds held here.
    ``path``: the hops of that shortest route (ties: the first seen), for evidence.
    ``lots``: FIFO only — ``(amount, tainted)`` received, oldest first.
    """

    balance: int = 0
    tainted: int = 0
    hops: int = 0
    sources: tuple[str, ...] = ()
    path: tuple[Hop, ...] = ()
    lots: tuple[tuple[int, int], ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"b": str(self.balance), "t": str(self.tainted), "h": self.hops,
                "s": list(self.sources), "p": [h.to_wire() for h in self.path],
                "l": [[str(a), str(t)] for a, t in self.lots]}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> TaintState:
        return cls(int(data["b"]), int(data["t"]), int(data["h"]), tuple(data["s"]),
                   tuple(Hop.from_wire(h) for h in data["p"]),
                   tuple((int(a), int(t)) for a, t in data.get("l", ())))


def merge_sources(*groups: Iterable[str]) -> tuple[str, ...]:
    """Sorted union, capped, so the same inputs always give the same evidence."""
    return tuple(sorted({s for group in groups for s in group}))[:MAX_SOURCES]


class TaintRepository:
    """Reads and writes taint state; one atomic write per transfer or per batch.

    Keys: ``exposure:<model>:a:<asset key>:<address>`` for state,
    ``exposure:<model>:done:<transfer id>`` for the exposure already computed for a
    transfer, written in the same batch so that re-processing a transfer after a crash
    returns the stored answer instead of applying it twice, and
    ``exposure:<model>:undo:<transfer id>`` for what the transfer changed
    (:mod:`rules.exposure.undo`), so that a reorg can take exactly that back.
    """

    def __init__(self, store: Store, model: str) -> None:
        self._store = store
        self._prefix = f"exposure:{model}:"

    def _key(self, asset: str, address: str) -> str:
        return f"{self._prefix}a:{asset}:{address}"

    def load(self, asset: str, addresses: list[str]) -> dict[str, TaintState]:
        """State of those addresses that have any (others are untainted)."""
        raw = self._store.get_many([self._key(asset, a) for a in addresses])
        return {a: TaintState.from_wire(loads(v)) for a, v in zip(addresses, raw, strict=True)
                if v is not None}

    def load_pairs(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], TaintState | None]:
        """State of many (asset, address) pairs in one round trip; None = untainted."""
        prefix = f"{self._prefix}a:"  # the key of _key, inlined: a batch has ~2 per transfer
        raw = self._store.get_many([f"{prefix}{asset}:{a}" for asset, a in pairs])
        found: dict[tuple[str, str], TaintState | None] = dict.fromkeys(pairs)
        for pair, value in zip(pairs, raw, strict=True):
            if value is not None:  # rare: most addresses never held tainted funds
                found[pair] = TaintState.from_wire(loads(value))
        return found

    def done(self, transfer_id: str) -> bytes | None:
        return self._store.get(f"{self._prefix}done:{transfer_id}")

    def undo_record(self, transfer_id: str) -> bytes | None:
        return self._store.get(f"{self._prefix}undo:{transfer_id}")

    def save(self, asset: str, states: Mapping[str, TaintState | None], transfer_id: str,
             result: bytes, undo: bytes | None = None) -> None:
        """Write new states (None = drop: nothing tainted left) and the transfer's result."""
        self.save_batch({(asset, a): s for a, s in states.items()}, {transfer_id: result},
                        {transfer_id: undo} if undo is not None else {})

    def save_batch(self, states: Mapping[tuple[str, str], TaintState | None],
                   results: Mapping[str, bytes], undo: Mapping[str, bytes] | None = None,
                   undone: Iterable[str] = ()) -> None:
        """:meth:`save` for a whole batch: every state and every result in one atomic write.

        All or nothing, like the per-transfer write: after a crash either no transfer of
        the batch was applied (re-processing recomputes from the same state) or all were
        and each one's stored result is returned instead of applying it twice.
        """
        items = {self._key(asset, a): dumps(s.to_wire()) for (asset, a), s in states.items()
                 if s is not None}
        items.update((f"{self._prefix}done:{t}", r) for t, r in results.items())
        items.update((f"{self._prefix}undo:{t}", u) for t, u in (undo or {}).items())
        drop = [self._key(asset, a) for (asset, a), s in states.items() if s is None]
        # A retracted transfer forgets that it was applied: re-mined, it applies again.
        # (Both backends delete before they set, so a re-applied id keeps its new keys.)
        drop += [f"{self._prefix}{kind}:{t}" for t in undone for kind in ("done", "undo")
                 if t not in results]
        self._store.put_many(items, delete=drop)
