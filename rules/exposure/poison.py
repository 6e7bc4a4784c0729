"""Poison: any tainted input taints every output in full, and an address stays tainted.

The strictest model (no dilution): ``share = 100%`` for any address that ever received
tainted funds; a transaction with a tainted input passes its whole value on.
"""

from __future__ import annotations

from rules.exposure.config import PPM
from rules.exposure.model import add_funds
from rules.exposure.state import TaintState


class Poison:
    name = "poison"

    def share_ppm(self, state: TaintState) -> int:
        return PPM if state.tainted > 0 else 0

    def spend(self, state: TaintState, amount: int) -> tuple[int, TaintState]:
        return (amount if state.tainted > 0 else 0), state

    def receive(self, state: TaintState, amount: int, tainted: int) -> TaintState:
        return add_funds(state, amount, tainted)

    def distribute(self, outputs: list[int], total_in: int, tainted_in: int) -> list[int]:
        return list(outputs) if tainted_in > 0 else [0] * len(outputs)
