"""Rule conditions in CEL (Common Expression Language), via the maintained cel-python.

CEL is a real, side-effect-free expression language (no ``eval``): a condition can only
read the activation it is given. CEL integers are 64-bit, so money is exposed as exact
integers in coarser units (``units_micro``: millionths of an asset unit, ``usd_cents``)
that cannot overflow for any real transfer; the exact base-unit amount stays in evidence.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import celpy
from celpy.celparser import CELParseError

from rules.celcache import prime_cel_parser
from txmon.errors import RuleError

prime_cel_parser()  # before the first Environment: celpy then skips building its parser
_ENV = celpy.Environment()
DEFAULT_DIRECT = "size(hits) > 0"  # what a rule with a `match:` and no `when:` tests
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# One conjunct of the fast form: ``var.field[.field…]`` alone (a bool) or compared with a
# decimal int literal. Anything else (||, !, parentheses, strings, calls…) is not matched.
_TERM = re.compile(
    r"\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*"
    r"(?:(<=|>=|==|!=|<|>)\s*(-?(?:0|[1-9][0-9]*))\s*)?"
)
_OPS: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # CEL int range
_SLOW = object()  # "the fast form cannot decide: ask the interpreter"
Term = tuple[tuple[str, ...], Callable[[int, int], bool] | None, int]


def _fast_terms(source: str) -> tuple[Term, ...] | None:
    """The conjuncts of ``a.b >= 1 && c.d`` style sources; None for any other form."""
    terms: list[Term] = []
    for part in source.split("&&"):
        m = _TERM.fullmatch(part)
        if m is None:
            return None
        path, op, literal = m.groups()
        value = int(literal) if literal is not None else 0
        if abs(value) > INT_MAX:  # CEL parses -N as -(N): N itself must fit
            return None
        terms.append((tuple(path.split(".")), _OPS[op] if op else None, value))
    return tuple(terms)


def _convertible(value: Any) -> bool:
    """Whether cel-python's ``json_to_cel`` converts ``value`` without raising.

    The interpreter converts every variable a condition names before evaluating, and an
    int outside CEL's range raises there whatever the condition's answer; the fast path
    must then defer too. Conservative: any type not listed is "no" (the interpreter runs).
    """
    kind = type(value)
    if kind is int:
        return INT_MIN <= value <= INT_MAX
    if kind in (bool, str, float) or value is None:
        return True
    if kind in (list, tuple):
        return all(_convertible(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _convertible(v) for k, v in value.items())
    return False


def _fast_evaluate(terms: tuple[Term, ...], activation: dict[str, Any]) -> object:
    """True/False exactly as CEL would answer, or ``_SLOW`` when not certain.

    Hand-written because cel-python's tree-walking interpreter (and converting the
    activation to CEL values) costs ~0.5 ms per call, while the rulebook's common
    conditions are conjunctions of field-vs-int comparisons. Certain only when every
    field exists with the exact type (int in CEL's range, or bool): then each conjunct is
    error-free and CEL's ``&&`` is plain logical and. A false conjunct decides the whole
    (CEL: ``false && anything`` is false, even an error), so it returns at once.
    """
    for path, op, literal in terms:
        value: Any = activation
        for name in path:
            if type(value) is not dict or name not in value:
                return _SLOW
            value = value[name]
        if op is None:
            if type(value) is not bool:
                return _SLOW
            holds = value
        else:
            if type(value) is not int or not INT_MIN <= value <= INT_MAX:
                return _SLOW
            holds = op(value, literal)
        if not holds:
            return False
    return True


@dataclass(frozen=True)
class Condition:
    """A compiled CEL expression and its source text (kept for traces)."""

    source: str
    program: Any
    names: frozenset[str] | None = None  # identifiers in the source; None = unknown
    fast: tuple[Term, ...] | None = None  # the source in the fast form, if it has it

    @classmethod
    def compile(cls, source: str) -> Condition:
        """Compile ``source``; raise ValueError with the parser's message if invalid."""
        try:
            ast = _ENV.compile(source)
        except CELParseError as exc:
            raise ValueError(str(exc).strip()) from exc
        return cls(source, _ENV.program(ast), frozenset(_IDENTIFIER.findall(source)),
                   _fast_terms(source))

    def evaluate(self, activation: dict[str, Any]) -> bool:
        """True or False as CEL answers; :class:`RuleError` when CEL gives no bool.

        The one error contract for conditions: a CEL error — raised by cel-python, or
        returned as its value (``CELEvalError`` is both), or any exception inside the
        interpreter or the conversion of the activation — and a result that is not a bool
        all raise :class:`RuleError` with the reason. CEL's own error absorption still
        applies inside an expression (``false && error`` is false).
        """
        # Converting to CEL values dominates evaluation, so only the variables the
        # source can name are converted: CEL has no dynamic lookup, and a word that merely
        # appears in a string literal only makes the set larger, never wrong.
        if self.source == DEFAULT_DIRECT:  # the implied condition of every `match:` rule:
            return len(activation.get("hits", ())) > 0  # CEL's answer, without the interpreter
        names = self.names
        if self.fast is not None and names is not None and all(
                _convertible(value) for name, value in activation.items() if name in names):
            answer = _fast_evaluate(self.fast, activation)
            if answer is not _SLOW:
                return bool(answer)
        try:
            result = self.program.evaluate(
                {name: celpy.json_to_cel(value) for name, value in activation.items()
                 if names is None or name in names}
            )
        except Exception as exc:
            raise RuleError(f"CEL error: {_reason(exc)}") from exc
        if isinstance(result, celpy.CELEvalError):
            raise RuleError(f"CEL error: {_reason(result)}")
        if not isinstance(result, celpy.celtypes.BoolType):
            raise RuleError(f"condition gave {type(result).__name__}, not a bool")
        return bool(result)


def _reason(exc: BaseException) -> str:
    """cel-python's message without its tuple wrapping: ``no such member … 'programz'``."""
    args = getattr(exc, "args", ())
    text = args[0] if args and isinstance(args[0], str) else str(exc)
    return text[:300]
