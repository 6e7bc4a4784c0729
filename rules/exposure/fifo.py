"""FIFO: an address spends its oldest received funds first (the UK *Clayton's case* rule).

Each receipt is a lot ``(amount, tainted)``; a payment consumes lots from the oldest, and
its tainted part is the sum over consumed lots of ``floor(tainted_lot * taken / amount_lot)``.
Lots beyond ``MAX_LOTS`` are folded into the oldest one (bounded state; documented).
Within one multi-input transaction, outputs share the tainted value proportionally.
"""

from __future__ import annotations

from dataclasses import replace

from rules.exposure.model import proportional, share_of
from rules.exposure.state import TaintState

MAX_LOTS = 64


class Fifo:
    name = "fifo"

    def share_ppm(self, state: TaintState) -> int:
        return share_of(state.tainted, state.balance)

    def spend(self, state: TaintState, amount: int) -> tuple[int, TaintState]:
        lots = list(state.lots)
        left, out = amount, 0
        while left > 0 and lots:
            lot_amount, lot_tainted = lots[0]
            take = min(left, lot_amount)
            part = lot_tainted * take // lot_amount if lot_amount else 0
            out += part
            left -= take
            if take == lot_amount:
                lots.pop(0)
            else:
                lots[0] = (lot_amount - take, lot_tainted - part)
        return out, self._with_lots(state, lots)

    def receive(self, state: TaintState, amount: int, tainted: int) -> TaintState:
        lots = [*state.lots, (amount, tainted)] if amount > 0 else list(state.lots)
        while len(lots) > MAX_LOTS:
            (a1, t1), (a2, t2) = lots[0], lots[1]
            lots[:2] = [(a1 + a2, t1 + t2)]
        return self._with_lots(state, lots)

    def distribute(self, outputs: list[int], total_in: int, tainted_in: int) -> list[int]:
        return proportional(outputs, total_in, tainted_in)

    @staticmethod
    def _with_lots(state: TaintState, lots: list[tuple[int, int]]) -> TaintState:
        return replace(state, lots=tuple(lots), balance=sum(a for a, _ in lots),
                       tainted=sum(t for _, t in lots))
