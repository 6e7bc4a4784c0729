"""A screening answer: ``allow``, ``review`` or ``block``, and every reason behind it.

Each reason carries its own outcome; the decision is the most severe of them, so an
analyst can always see which fact decided, and which facts were merely noted (``allow``
reasons: a namesake ruled out by date of birth, the address being our own deposit
address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALLOW, REVIEW, BLOCK = "allow", "review", "block"
_RANK = {ALLOW: 0, REVIEW: 1, BLOCK: 2}


@dataclass(frozen=True, slots=True)
class Reason:
    """One fact and the outcome it calls for."""

    code: str  # sanctioned-address, risky-entity, indirect-exposure, name-match, …
    outcome: str
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "outcome": self.outcome, "detail": self.detail,
                "evidence": self.evidence}


def decide(reasons: list[Reason]) -> str:
    """The most severe outcome among ``reasons`` (``allow`` when there is none)."""
    return max((r.outcome for r in reasons), key=_RANK.__getitem__, default=ALLOW)
