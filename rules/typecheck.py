"""Type-check every condition of a rulebook against the declared CEL variables.

``hits.exists(h, "CYBER2" in h.programz)`` compiles — CEL is dynamically typed — and fails
only when a transfer first touches a listed address, i.e. in production, on the transfer
that matters. ``txmon rules check`` therefore checks each condition in two passes, against
the variables declared in :mod:`rules.activation` (``transfer``, ``hits``, ``exposure``):

1. **Names, statically** — a walk of the parsed CEL tree: every free identifier must be a
   declared variable, every field selected on ``transfer``, ``exposure``, an element of
   ``hits`` (``hits[0].x``, or ``h.x`` with ``h`` bound by ``exists``/``all``/
   ``exists_one``/``filter``/``map`` over ``hits``) must be declared, and nothing is
   selected on a scalar. Exhaustive: ``false && transfer.typo`` is caught although it is
   never evaluated.
2. **Types, by evaluation** — the condition is run with the one evaluator
   (:meth:`rules.condition.Condition.evaluate`) on synthetic activations in which every
   declared field holds a sample of its type: all booleans true, then all false; ``hits``
   with one element, and empty unless the rule's signal is ``direct`` (a direct rule only
   ever sees a non-empty ``hits``). Every run must give a bool without a CEL error
   (``transfer.chain > 5``, ``hits[0].units_micro`` on an ``any`` rule, a non-bool result).

The engine uses the same check: a hot-reloaded rulebook that fails it is refused; at
start-up the failures are logged and the rule's run-time errors are dead-lettered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from celpy import Expression as Tree  # cel-python's parse tree (a lark Tree)

from rules.activation import EXPOSURE_FIELDS, HIT_FIELDS, TRANSFER_FIELDS
from rules.condition import Condition
from rules.rulebook import Rule, Rulebook
from txmon.errors import RuleError

_MACROS_BOOL = frozenset({"exists", "all", "exists_one"})
_MACROS = _MACROS_BOOL | {"filter", "map"}
_TYPE_NAMES = frozenset({"int", "uint", "double", "bool", "string", "bytes", "list", "map",
                         "null_type", "type", "dyn"})


@dataclass(frozen=True)
class Shape:
    """What a CEL sub-expression is known to be: a scalar, a list, or a map with fields."""

    kind: str  # string | int | bool | list | map
    label: str  # how the message names it: "transfer", "hits[]", "transfer.chain"
    fields: dict[str, Shape] = field(default_factory=dict)
    elem: Shape | None = None


def _declared(label: str, fields: dict[str, tuple[str, Any]]) -> Shape:
    out = {}
    for name, (kind, _) in fields.items():
        path = f"{label}.{name}"
        if kind.startswith("list<"):
            out[name] = Shape("list", path, elem=Shape(kind[5:-1], f"{path}[]"))
        else:
            out[name] = Shape(kind, path)
    return Shape("map", label, out)


_UNKNOWN = Shape("unknown", "?")  # a macro variable over a list of unknown type

VARIABLES: dict[str, Shape] = {
    "transfer": _declared("transfer", TRANSFER_FIELDS),
    "hits": Shape("list", "hits", elem=_declared("hits[]", HIT_FIELDS)),
    "exposure": _declared("exposure", EXPOSURE_FIELDS),
}


class _Names:
    """Pass 1: the walk of the parse tree, collecting reasons."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def walk(self, node: Any, scope: dict[str, Shape]) -> Shape | None:
        if not isinstance(node, Tree):
            return None
        handler = getattr(self, f"_{node.data}", None)
        if handler is not None:
            return handler(node, scope)
        children = [c for c in node.children if isinstance(c, Tree)]
        shapes = [self.walk(c, scope) for c in children]
        return shapes[0] if len(children) == 1 and len(node.children) == 1 else None

    def _ident(self, node: Tree, scope: dict[str, Shape]) -> Shape | None:
        name = str(node.children[0])
        if name in scope:
            return scope[name]
        if name not in _TYPE_NAMES:
            self.errors.append(f"unknown variable '{name}' (declared: {', '.join(VARIABLES)})")
        return None

    def _member_dot(self, node: Tree, scope: dict[str, Shape]) -> Shape | None:
        base = self.walk(node.children[0], scope)
        name = str(node.children[1])
        if base is None or base is _UNKNOWN:
            return None
        if base.kind != "map":
            what = "a list" if base.kind == "list" else f"a {base.kind}"
            self.errors.append(f"'{base.label}' is {what}: it has no field '{name}'")
            return None
        if name not in base.fields:
            self.errors.append(f"'{base.label}' has no field '{name}' "
                               f"(fields: {', '.join(sorted(base.fields))})")
            return None
        return base.fields[name]

    def _member_index(self, node: Tree, scope: dict[str, Shape]) -> Shape | None:
        base = self.walk(node.children[0], scope)
        self.walk(node.children[1], scope)
        return base.elem if base is not None and base.kind == "list" else None

    def _member_dot_arg(self, node: Tree, scope: dict[str, Shape]) -> Shape | None:
        base = self.walk(node.children[0], scope)
        method = str(node.children[1])
        args = _args(node.children[2] if len(node.children) > 2 else None)
        if method in _MACROS and len(args) >= 2 and (var := _bare_ident(args[0])) is not None:
            elem = base.elem if base is not None and base.kind == "list" else None
            inner = {**scope, var: elem or _UNKNOWN}
            for arg in args[1:]:
                self.walk(arg, inner)
            if method in _MACROS_BOOL:
                return Shape("bool", f"{method}(…)")
            return base if method == "filter" else None
        for arg in args:
            self.walk(arg, scope)
        return None




def _args(exprlist: Any) -> list[Tree]:
    if not isinstance(exprlist, Tree):
        return []
    return [c for c in exprlist.children if isinstance(c, Tree)]


def _bare_ident(expr: Tree) -> str | None:
    """The name if ``expr`` is just an identifier (the bound variable of a macro)."""
    node: Any = expr
    while isinstance(node, Tree) and node.data != "ident":
        trees = [c for c in node.children if isinstance(c, Tree)]
        if len(trees) != 1 or len(node.children) != 1:
            return None
        node = trees[0]
    if isinstance(node, Tree) and node.children and not isinstance(node.children[0], Tree):
        return str(node.children[0])  # the IDENT token
    return None


def _sample(fields: dict[str, tuple[str, Any]], flag: bool) -> dict[str, Any]:
    return {name: (flag if kind == "bool" else value) for name, (kind, value) in fields.items()}


def activations(signal: str) -> list[tuple[str, dict[str, Any]]]:
    """Synthetic activations with every declared field, as ``signal`` can see them."""
    out = []
    for flag in (True, False):
        hit = _sample(HIT_FIELDS, flag)
        for hits in ([hit], [] if signal != "direct" else None):
            if hits is None:
                continue
            label = f"booleans {str(flag).lower()}, {len(hits)} hit(s)"
            out.append((label, {"transfer": _sample(TRANSFER_FIELDS, flag), "hits": hits,
                                "exposure": _sample(EXPOSURE_FIELDS, flag)}))
    return out


def check_condition(condition: Condition, signal: str = "any") -> list[str]:
    """Reasons ``condition`` would fail at run time; empty when it is sound."""
    names = _Names()
    names.walk(condition.program.ast, dict(VARIABLES))
    if names.errors:
        return list(dict.fromkeys(names.errors))
    for label, activation in activations(signal):
        try:
            condition.evaluate(activation)
        except RuleError as exc:
            return [f"{exc} (with {label})"]
    return []


def check_rule(rule: Rule) -> list[str]:
    return check_condition(rule.when, rule.signal)


def check_rulebook(book: Rulebook) -> list[str]:
    """Every failure as ``FILE:LINE: rule ID: reason`` (the rulebook's error format)."""
    return [f"{book.path}:{rule.line}: rule {rule.id}: {reason}"
            for rule in book.rules for reason in check_rule(rule)]
