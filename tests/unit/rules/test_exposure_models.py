"""Each taint model's arithmetic, exactly (integers in base units, no rounding surprises)."""

from __future__ import annotations

from rules.exposure.fifo import Fifo
from rules.exposure.haircut import Haircut
from rules.exposure.poison import Poison
from rules.exposure.state import TaintState


def test_haircut_spends_the_mixed_share_and_keeps_it() -> None:
    state = Haircut().receive(TaintState(), 4_000, 1_000)  # 25% tainted
    state = Haircut().receive(state, 1_000, 0)  # diluted to 1000/5000 = 20%
    assert Haircut().share_ppm(state) == 200_000
    out, after = Haircut().spend(state, 2_500)
    assert out == 500  # 1000 * 2500 // 5000
    assert (after.balance, after.tainted) == (2_500, 500)
    assert Haircut().share_ppm(after) == 200_000


def test_haircut_overspend_sends_all_taint_and_empties() -> None:
    state = TaintState(balance=1_000, tainted=300)
    out, after = Haircut().spend(state, 5_000)  # funds from before tracking: clean
    assert out == 300
    assert (after.balance, after.tainted) == (0, 0)


def test_haircut_distributes_value_weighted_over_outputs() -> None:
    assert Haircut().distribute([300, 700, 1], 1_001, 500) == [149, 349, 0]


def test_poison_taints_every_output_fully_and_never_washes_out() -> None:
    state = Poison().receive(TaintState(), 10, 1)
    state = Poison().receive(state, 1_000_000, 0)
    assert Poison().share_ppm(state) == 1_000_000
    out, after = Poison().spend(state, 77)
    assert out == 77 and after == state
    assert Poison().distribute([5, 6], 11, 1) == [5, 6]
    assert Poison().distribute([5, 6], 11, 0) == [0, 0]


def test_fifo_spends_oldest_lots_first() -> None:
    state = Fifo().receive(TaintState(), 100, 0)  # clean lot first
    state = Fifo().receive(state, 50, 50)  # then a tainted lot
    out, after = Fifo().spend(state, 100)
    assert out == 0  # only the clean lot went
    assert after.lots == ((50, 50),)
    out, after = Fifo().spend(after, 20)
    assert out == 20 and after.lots == ((30, 30),)
    assert (after.balance, after.tainted) == (30, 30)


def test_fifo_partial_lot_is_proportional() -> None:
    state = Fifo().receive(TaintState(), 1_000, 250)
    out, after = Fifo().spend(state, 400)
    assert out == 100
    assert after.lots == ((600, 150),)


def test_state_round_trips_big_amounts() -> None:
    big = 2**200
    state = TaintState(balance=big, tainted=big // 3, hops=2, sources=("a",), lots=((big, 1),))
    assert TaintState.from_wire(state.to_wire()) == state
