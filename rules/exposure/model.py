"""The taint-model interface: one small class per model, selected by name in the rulebook.

A model only decides amounts — how much of what an address sends is tainted, and how a
transaction's tainted inputs reach its outputs. Hops, sources and paths are the same for
every model and are kept by the tracker.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from rules.exposure.config import PPM
from rules.exposure.state import TaintState


class TaintModel(Protocol):
    """Lifecycle: stateless; every method is pure so replays give identical state."""

    name: str

    def share_ppm(self, state: TaintState) -> int:
        """Tainted share of the address's funds, in parts per million."""
        ...

    def spend(self, state: TaintState, amount: int) -> tuple[int, TaintState]:
        """Tainted part of ``amount`` sent by the address, and its state afterwards."""
        ...

    def receive(self, state: TaintState, amount: int, tainted: int) -> TaintState:
        """State after receiving ``amount`` of which ``tainted`` is tainted."""
        ...

    def distribute(self, outputs: list[int], total_in: int, tainted_in: int) -> list[int]:
        """Tainted amount reaching each output of a transaction."""
        ...


def proportional(outputs: list[int], total_in: int, tainted_in: int) -> list[int]:
    """Each output gets the transaction's tainted share of its value (floored)."""
    if total_in <= 0 or tainted_in <= 0:
        return [0] * len(outputs)
    return [amount * tainted_in // total_in for amount in outputs]


def share_of(tainted: int, total: int) -> int:
    """``tainted / total`` in ppm, floored; 0 for an empty balance."""
    return 0 if total <= 0 else min(PPM, tainted * PPM // total)


def add_funds(state: TaintState, amount: int, tainted: int) -> TaintState:
    return replace(state, balance=state.balance + amount, tainted=state.tainted + tainted)
