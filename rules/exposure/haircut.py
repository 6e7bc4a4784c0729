"""Haircut: tainted funds mix with clean ones and every payment carries the mixed share.

An address holding balance ``B`` of which ``T`` is tainted sends ``A``: the tainted part
is ``floor(T * A / B)`` (all of ``T`` when ``A >= B``: funds from before tracking are
unknown and counted as clean). A transaction's outputs each get
``floor(out * tainted_in / total_in)``.
"""

from __future__ import annotations

from dataclasses import replace

from rules.exposure.model import add_funds, proportional, share_of
from rules.exposure.state import TaintState


class Haircut:
    name = "haircut"

    def share_ppm(self, state: TaintState) -> int:
        return share_of(state.tainted, state.balance)

    def spend(self, state: TaintState, amount: int) -> tuple[int, TaintState]:
        if state.balance <= 0 or amount <= 0:
            return 0, state
        if amount >= state.balance:
            return state.tainted, replace(state, balance=0, tainted=0)
        out = state.tainted * amount // state.balance
        return out, replace(state, balance=state.balance - amount, tainted=state.tainted - out)

    def receive(self, state: TaintState, amount: int, tainted: int) -> TaintState:
        return add_funds(state, amount, tainted)

    def distribute(self, outputs: list[int], total_in: int, tainted_in: int) -> list[int]:
        return proportional(outputs, total_in, tainted_in)
