"""Load and validate a rulebook: versioned YAML, errors that name file, line and rule.

A rulebook is data, so a compliance officer can read and change it; validation is
strict (unknown keys, missing fields, conditions that do not compile are all errors)
because a typo in a sanctions rule must stop the deployment, not silently match nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import yaml

from rules.condition import DEFAULT_DIRECT, Condition
from rules.exposure.config import MODELS, PPM, ExposureConfig
from rules.tagfilter import TagFilter
from txmon.errors import RulebookError
from txmon.vocabulary import vocabulary

SEVERITIES = ("low", "medium", "high", "critical")
_RULE_KEYS = {"id", "title", "severity", "match", "when", "description", "enabled", "signal"}
_MATCH_KEYS = {"kind", "category", "source", "program"}
_EXPOSURE_KEYS = {"model", "max_hops", "min_share", "source"}
# signal: which transfers a rule is evaluated on — "direct" (touches a tag its match
# accepts), "exposure" (carries indirect taint), "exchange" (a back-office deposit or
# withdrawal, e.g. the ¥30M report) or "any". A cheap pre-filter: most transfers touch
# nothing, and CEL evaluation is the hot loop's largest cost.
SIGNALS = ("direct", "exposure", "exchange", "any")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: a tag filter selecting the hits and a CEL condition over the transfer."""

    id: str
    title: str
    severity: str
    match: TagFilter | None
    when: Condition
    description: str = ""
    line: int = 0
    signal: str = "any"


@dataclass(frozen=True, slots=True)
class Rulebook:
    """A validated rulebook; ``version`` is recorded in every alert it produces."""

    version: str
    rules: tuple[Rule, ...]
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    exposure: ExposureConfig | None = None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping (for error messages)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = cast(dict[str, Any], loader.construct_mapping(node, deep=True))
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _as_set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset([value] if isinstance(value, str) else [str(v) for v in value])


def _parse_match(raw: Any, fail: Any) -> TagFilter | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        fail("'match' must be a mapping")
    unknown = set(raw) - _MATCH_KEYS - {"__line__"}
    if unknown:
        fail(f"unknown key(s) in 'match': {', '.join(sorted(unknown))}")
    found = TagFilter(
        kind=raw.get("kind"),
        categories=_as_set(raw.get("category")),
        sources=_as_set(raw.get("source")),
        programs=_as_set(raw.get("program")),
    )
    words = vocabulary()  # a typo would match nothing: refuse it (seeds/vocabulary.yaml)
    for name, values in (("kind", [] if found.kind is None else [str(found.kind)]),
                          ("category", found.categories), ("source", found.sources)):
        error = words.unknown(name, values)
        if error:
            fail(f"'match': {error}")
    return found


def _parse_rule(raw: Any, path: str, seen: set[str]) -> Rule | None:
    line = raw.get("__line__", 0) if isinstance(raw, dict) else 0
    rule_id = raw.get("id", "?") if isinstance(raw, dict) else "?"

    def fail(reason: str) -> None:
        raise RulebookError(f"{path}:{line}: rule {rule_id}: {reason}")

    if not isinstance(raw, dict):
        fail("each rule must be a mapping")
    unknown = set(raw) - _RULE_KEYS - {"__line__"}
    if unknown:
        fail(f"unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("id", "title", "severity"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            fail(f"'{key}' is required and must be a string")
    if rule_id in seen:
        fail("duplicate rule id")
    seen.add(rule_id)
    if raw["severity"] not in SEVERITIES:
        fail(f"severity must be one of {', '.join(SEVERITIES)}")
    match = _parse_match(raw.get("match"), fail)
    when = raw.get("when", DEFAULT_DIRECT if match else None)
    if not isinstance(when, str):
        fail("'when' (a CEL expression) is required when there is no 'match'")
    try:
        condition = Condition.compile(when)
    except ValueError as exc:
        fail(f"condition does not compile: {exc}")
    signal = raw.get("signal", "direct" if match else "any")
    if signal not in SIGNALS:
        fail(f"signal must be one of {', '.join(SIGNALS)}")
    if signal == "direct" and match is None:
        fail("signal 'direct' needs a 'match'")
    if raw.get("enabled", True) is False:
        return None
    return Rule(rule_id, raw["title"], raw["severity"], match, condition,
                raw.get("description", ""), line, signal)


def _parse_exposure(raw: Any, path: str) -> ExposureConfig | None:
    """The optional top-level ``exposure:`` section (taint model for indirect exposure)."""
    if raw is None:
        return None
    line = raw.get("__line__", 0) if isinstance(raw, dict) else 0

    def fail(reason: str) -> None:
        raise RulebookError(f"{path}:{line}: exposure: {reason}")

    if not isinstance(raw, dict):
        fail("must be a mapping")
    unknown = set(raw) - _EXPOSURE_KEYS - {"__line__"}
    if unknown:
        fail(f"unknown key(s): {', '.join(sorted(unknown))}")
    model = raw.get("model", "haircut")
    if model not in MODELS:
        fail(f"model must be one of {', '.join(MODELS)}")
    hops = raw.get("max_hops", 3)
    if not isinstance(hops, int) or isinstance(hops, bool) or not 1 <= hops <= 16:
        fail("max_hops must be an integer from 1 to 16")
    try:
        share = Decimal(str(raw.get("min_share", "0.01")))
    except InvalidOperation:
        share = Decimal(-1)
    if not 0 <= share <= 1:
        fail("min_share must be a number from 0 to 1 (e.g. 0.01 for 1%)")
    source = _parse_match(raw.get("source", {"kind": "sanction"}), fail)
    return ExposureConfig(model, hops, int(share * PPM), source or TagFilter())


def parse_rulebook(text: str, path: str = "<rulebook>") -> Rulebook:
    """Parse and validate rulebook YAML text."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RulebookError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise RulebookError(f"{path}:1: a rulebook is a mapping with 'version' and 'rules'")
    version = doc.get("version")
    if not isinstance(version, (str, int, float)) or str(version) == "":
        raise RulebookError(f"{path}:{doc['__line__']}: 'version' is required")
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulebookError(f"{path}:{doc['__line__']}: 'rules' must be a non-empty list")
    seen: set[str] = set()
    parsed = (_parse_rule(raw, path, seen) for raw in raw_rules)
    rules = tuple(rule for rule in parsed if rule is not None)
    exposure = _parse_exposure(doc.get("exposure"), path)
    extra = {k: v for k, v in doc.items() if k not in {"version", "rules", "exposure", "__line__"}}
    if any(r.signal == "exposure" for r in rules) and exposure is None:
        raise RulebookError(f"{path}:{doc['__line__']}: a rule uses signal 'exposure' but the "
                            "rulebook has no 'exposure:' section")
    return Rulebook(str(version), rules, path, extra, exposure)


def load_rulebook(path: Path) -> Rulebook:
    """Read and validate a rulebook file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulebookError(f"{path}: cannot read: {exc}") from exc
    return parse_rulebook(text, str(path))
