"""Rule conditions in CEL (Common Expression Language), via the maintained cel-python.

CEL is a real, side-effect-free expression language (no ``eval``): a condition can only
read the activation it is given. CEL integers are 64-bit, so money is exposed as exact
integers in coarser units (``units_micro``: millionths of an asset unit, ``usd_cents``)
that cannot overflow for any real transfer; the exact base-unit amount stays in evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import celpy
from celpy.celparser import CELParseError

_ENV = celpy.Environment()


@dataclass(frozen=True)
class Condition:
    """A compiled CEL expression and its source text (kept for traces)."""

    source: str
    program: Any

    @classmethod
    def compile(cls, source: str) -> Condition:
        """Compile ``source``; raise ValueError with the parser's message if invalid."""
        try:
            ast = _ENV.compile(source)
        except CELParseError as exc:
            raise ValueError(str(exc).strip()) from exc
        return cls(source, _ENV.program(ast))

    def evaluate(self, activation: dict[str, Any]) -> bool:
        """True when the condition holds; a CEL runtime error counts as not holding."""
        result = self.program.evaluate(
            {name: celpy.json_to_cel(value) for name, value in activation.items()}
        )
        return isinstance(result, celpy.celtypes.BoolType) and bool(result)
