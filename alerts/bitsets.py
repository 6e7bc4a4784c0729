"""Facet bitsets: for each facet value, a Python int whose bit *p* is set when row *p* has
that value — the queue's filter index.

Why bitsets: the queue filters 100,000 alerts on every page. A pass over the rows in
Python costs ~50-150 ms; AND-ing a few 12.5 kB ints and counting their bits
(``int.bit_count``) costs microseconds, and the newest rows of a result are its highest
bits. A row's position is its index in feed order, so positions only grow. Positions are
collected per value and turned into bits in one go (:meth:`Bitsets.flush`), because
OR-ing single bits into a big int one at a time copies it each time.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable


def _bits(positions: list[int]) -> int:
    if len(positions) < 64:
        mask = 0
        for p in positions:
            mask |= 1 << p
        return mask
    raw = bytearray(max(positions) // 8 + 1)
    for p in positions:
        raw[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(raw, "little")


class Bitsets:
    """value → bitmask of row positions, per facet."""

    def __init__(self, facets: Iterable[str]) -> None:
        self._masks: dict[str, dict[str, int]] = {f: {} for f in facets}
        self._pending: dict[str, dict[str, list[int]]] = {f: {} for f in self._masks}
        self._sorted: dict[str, list[str]] = {}  # facet → its values sorted (for ranges)
        self.size = 0

    def add(self, pos: int, values: dict[str, Iterable[str]]) -> None:
        """Row ``pos`` (the next position) has these values per facet."""
        for facet, vals in values.items():
            for value in vals:
                self._pending[facet].setdefault(value, []).append(pos)
        self.size = max(self.size, pos + 1)

    def flush(self) -> None:
        for facet, pending in self._pending.items():
            masks = self._masks[facet]
            for value, positions in pending.items():
                if value not in masks:
                    self._sorted.pop(facet, None)
                masks[value] = masks.get(value, 0) | _bits(positions)
            pending.clear()

    def move(self, facet: str, old: str, new: str, pos: int) -> None:
        """Row ``pos`` changed ``facet`` from ``old`` to ``new``."""
        self.flush()
        bit = 1 << pos
        masks = self._masks[facet]
        masks[old] = masks.get(old, 0) & ~bit
        if new not in masks:
            self._sorted.pop(facet, None)
        masks[new] = masks.get(new, 0) | bit

    def rebuild(self, facet: str, value_of: Iterable[str]) -> None:
        """Set ``facet`` anew from every row's value, in position order (after many moves:
        one pass instead of three big-int copies per move)."""
        self.flush()
        positions: dict[str, list[int]] = {}
        for pos, value in enumerate(value_of):
            positions.setdefault(value, []).append(pos)
        self._masks[facet] = {value: _bits(ps) for value, ps in positions.items()}
        self._sorted.pop(facet, None)

    @property
    def all(self) -> int:
        return (1 << self.size) - 1

    def mask(self, facet: str, value: str) -> int:
        return self._masks[facet].get(value, 0)

    def between(self, facet: str, low: str | None, high: str | None) -> int:
        """Rows whose value lies in [low, high] (string order: ISO dates sort as dates)."""
        values = self._sorted.get(facet)
        if values is None:
            values = self._sorted[facet] = sorted(self._masks[facet])
        start = 0 if low is None else bisect.bisect_left(values, low)
        stop = len(values) if high is None else bisect.bisect_right(values, high)
        mask = 0
        for value in values[start:stop]:
            mask |= self._masks[facet][value]
        return mask


def newest(mask: int, offset: int, limit: int) -> list[int]:
    """Positions of ``mask``'s set bits, highest first, skipping ``offset`` of them."""
    digits = bin(mask)[2:]  # digits[0] is the highest bit
    top = len(digits) - 1
    out: list[int] = []
    i = -1
    while len(out) < limit:
        i = digits.find("1", i + 1)
        if i < 0:
            break
        if offset:
            offset -= 1
            continue
        out.append(top - i)
    return out
