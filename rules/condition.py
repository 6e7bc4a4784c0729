"""Rule conditions in CEL (Common Expression Language), via the maintained cel-python.

CEL is a real, side-effect-free expression language (no ``eval``): a condition can only
read the activation it is given. CEL integers are 64-bit, so money is exposed as exact
integers in coarser units (``units_micro``: millionths of an asset unit, ``usd_cents``)
that cannot overflow for any real transfer; the exact base-unit amount stays in evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import celpy
from celpy.celparser import CELParseError

_ENV = celpy.Environment()
DEFAULT_DIRECT = "size(hits) > 0"  # what a rule with a `match:` and no `when:` tests
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Condition:
    """A compiled CEL expression and its source text (kept for traces)."""

    source: str
    program: Any
    names: frozenset[str] | None = None  # identifiers in the source; None = unknown

    @classmethod
    def compile(cls, source: str) -> Condition:
        """Compile ``source``; raise ValueError with the parser's message if invalid."""
        try:
            ast = _ENV.compile(source)
        except CELParseError as exc:
            raise ValueError(str(exc).strip()) from exc
        return cls(source, _ENV.program(ast), frozenset(_IDENTIFIER.findall(source)))

    def evaluate(self, activation: dict[str, Any]) -> bool:
        """True when the condition holds; a CEL runtime error counts as not holding."""
        # Converting to CEL values dominates evaluation, so only the variables the
        # source can name are converted: CEL has no dynamic lookup, and a word that merely
        # appears in a string literal only makes the set larger, never wrong.
        if self.source == DEFAULT_DIRECT:  # the implied condition of every `match:` rule:
            return len(activation.get("hits", ())) > 0  # CEL's answer, without the interpreter
        names = self.names
        result = self.program.evaluate(
            {name: celpy.json_to_cel(value) for name, value in activation.items()
             if names is None or name in names}
        )
        return isinstance(result, celpy.celtypes.BoolType) and bool(result)
