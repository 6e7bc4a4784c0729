"""The condition fast path answers exactly as the CEL interpreter, or defers to it."""

from __future__ import annotations

import random
from typing import Any

import pytest

from rules.condition import Condition, _fast_evaluate, _fast_terms

INT_MAX = 2**63 - 1
SOURCES = [
    "exposure.hops >= 2 && exposure.share_ppm >= 100000",
    "transfer.usd_known && transfer.usd_cents >= 1000000",
    "transfer.block < 5 && transfer.units_micro != -3 && transfer.inputs == 1",
    "exposure.tainted",
    "transfer.units_micro > 9223372036854775807",
]
VALUES: list[Any] = [0, 1, 2, -3, 5, 99_999, 100_000, 1_000_000, INT_MAX, 2**63, -(2**63) - 1,
                     True, False, "2", None, 1.5, [1], {"x": 1}]


def _outcome(condition: Condition, activation: dict[str, Any]) -> object:
    """The answer, or the type of the error raised."""
    try:
        return condition.evaluate(activation)
    except Exception as exc:  # noqa: BLE001 - the error itself is the outcome compared
        return type(exc)


def test_fast_form_is_recognised_only_for_conjunctions_of_comparisons() -> None:
    assert _fast_terms("exposure.hops >= 2 && exposure.share_ppm >= 100000") is not None
    for other in ["exposure.hops >= 2 || exposure.share_ppm >= 1", "!transfer.success",
                  "(exposure.hops >= 2)", 'transfer.chain == "ethereum"', "size(hits) > 0",
                  "transfer.units_micro >= 9223372036854775808", "hops >= 2",
                  "exposure.hops >= 2.0"]:
        assert _fast_terms(other) is None, other


@pytest.mark.parametrize("source", SOURCES)
def test_fast_path_matches_the_interpreter(source: str) -> None:
    condition = Condition.compile(source)
    assert condition.fast is not None
    rng = random.Random(11)
    decided = 0
    for _ in range(400):
        activation: dict[str, Any] = {
            "transfer": {k: rng.choice(VALUES) for k in
                         ("usd_known", "usd_cents", "block", "units_micro", "inputs")},
            "exposure": {k: rng.choice(VALUES) for k in ("hops", "share_ppm", "tainted")},
            "hits": [],
        }
        if rng.random() < 0.2:  # a missing field is a CEL error: counts as not holding
            activation["exposure"].pop("hops")
        if rng.random() < 0.1:  # an unconvertible value elsewhere: the interpreter raises
            activation["exposure"]["tainted_units_micro"] = 2**64
        interpreter = Condition(source, condition.program, condition.names, None)
        expected = _outcome(interpreter, activation)
        assert _outcome(condition, activation) == expected
        decided += _fast_evaluate(condition.fast, activation) in (True, False)
    assert decided > 20  # the fast path does answer, not only defer


def test_sanctions_indirect_condition_on_real_shapes() -> None:
    condition = Condition.compile("exposure.hops >= 2 && exposure.share_ppm >= 100000")
    hit = {"exposure": {"hops": 2, "share_ppm": 100_000, "tainted": True}}
    miss = {"exposure": {"hops": 1, "share_ppm": 1_000_000, "tainted": True}}
    assert _fast_evaluate(condition.fast, hit) is True
    assert _fast_evaluate(condition.fast, miss) is False
    assert (condition.evaluate(hit), condition.evaluate(miss)) == (True, False)
