"""One stated error contract for CEL, and a type check that finds a typo before production.

On main, ``txmon rules check`` accepted ``hits.exists(h, "CYBER2" in h.programz)`` and the
engine died with CELEvalError on the first sanctioned hit; a CEL error *returned* as a value
silently counted as "no match".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from enrich.enricher import AddressHit, EnrichedTransfer, Enricher
from rules.activation import (
    EXPOSURE_FIELDS,
    HIT_FIELDS,
    TRANSFER_FIELDS,
    hit_to_activation,
    transfer_to_activation,
)
from rules.condition import Condition
from rules.engine import RuleEngine, RuleFailure
from rules.exposure.result import Exposure
from rules.rulebook import parse_rulebook
from rules.typecheck import check_condition, check_rulebook
from tests.pipeline_scenario import DictLookup, scenario, tornado_tag
from txmon.cli.main import main
from txmon.errors import RuleError
from txmon.settings import SEEDS_DIR

SEEDED = (SEEDS_DIR / "rulebook.yaml").read_text()
CEL_TYPES = {"string": str, "int": int, "bool": bool, "list<string>": list}


def book_with(when: str, signal: str = "", match: str = "{kind: sanction}") -> str:
    extra = f"\n    signal: {signal}" if signal else ""
    return SEEDED.replace("rules:\n", f"""rules:
  - id: custom
    title: Custom
    severity: high
    match: {match}{extra}
    when: '{when}'
""", 1)


@pytest.mark.parametrize(("when", "signal", "reason"), [
    ('hits.exists(h, "CYBER2" in h.programz)', "direct", "'hits[]' has no field 'programz'"),
    ("transfer.usd_known && transfer.usd_centz >= 1", "any",
     "'transfer' has no field 'usd_centz'"),
    ("false && exposure.hopz > 1", "any", "'exposure' has no field 'hopz'"),  # never evaluated
    ('transfr.chain == "x"', "any", "unknown variable 'transfr'"),
    ("transfer.chain.length > 1", "any", "'transfer.chain' is a string: it has no field"),
    ("has(transfer.memo)", "any", "'transfer' has no field 'memo'"),
    ("hits[0].address.x == 1", "direct", "'hits[].address' is a string"),
    ('transfer.chain > 5', "any", "CEL error: found no matching overload"),
    ("transfer.units_micro", "any", "condition gave IntType, not a bool"),
    ("hits[0].units_micro > 5", "any", "CEL error"),  # an `any` rule also sees no hits
])
def test_check_finds_what_would_fail_at_run_time(when: str, signal: str, reason: str) -> None:
    [found] = check_condition(Condition.compile(when), signal)
    assert reason in found


@pytest.mark.parametrize(("when", "signal"), [
    ('hits.exists(h, "mixer" in h.categories)', "direct"),
    ("hits[0].units_micro > 5", "direct"),
    ('hits.all(h, h.kinds.exists(k, k == "sanction"))', "direct"),
    ('hits.map(h, h.address).exists(a, a.startsWith("0x7"))', "direct"),
    ("exposure.hops >= 2 && exposure.share_ppm >= 100000", "exposure"),
    ('transfer.direction == "withdrawal" && transfer.as_of >= "2024-01-01"', "any"),
    ("size(hits) > 0", "direct"),
])
def test_sound_conditions_pass(when: str, signal: str) -> None:
    assert check_condition(Condition.compile(when), signal) == []


def test_the_shipped_rulebook_passes() -> None:
    assert check_rulebook(parse_rulebook(SEEDED, "seeds/rulebook.yaml")) == []


def test_declared_fields_are_exactly_what_the_builders_produce() -> None:
    """The declaration the check trusts is the activation the engine really builds."""
    enriched = EnrichedTransfer(scenario()[0], dt.date(2023, 1, 10), ())
    hit = AddressHit(address="0xabc", side="output", amount=5, tags=(tornado_tag(),))
    built = {"transfer": transfer_to_activation(enriched, 100),
             "hits[]": hit_to_activation(hit, 18, None, lambda _: 1),
             "exposure": Exposure("haircut").to_activation(lambda a: a)}
    declared = {"transfer": TRANSFER_FIELDS, "hits[]": HIT_FIELDS, "exposure": EXPOSURE_FIELDS}
    for name, fields in declared.items():
        assert set(built[name]) == set(fields), name
        for field, (kind, sample) in fields.items():
            assert type(built[name][field]) is CEL_TYPES[kind], (name, field)
            assert type(sample) is CEL_TYPES[kind], (name, field)


def test_rules_check_exits_2_naming_file_line_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(book_with('hits.exists(h, "CYBER2" in h.programz)'))
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 2
    assert (f"{path}:5: rule custom: 'hits[]' has no field 'programz' (fields: address, "
            "categories, entities, kinds, programs, side, sources, units_micro, usd_cents)"
            ) in result.output


def test_a_cel_error_raised_or_returned_is_one_rule_error() -> None:
    typo = Condition.compile('hits.exists(h, "CYBER2" in h.programz)')
    with pytest.raises(RuleError, match="CEL error: no such member in mapping: 'programz'"):
        typo.evaluate({"hits": [{"programs": ["CYBER2"]}]})
    with pytest.raises(RuleError, match="CEL error: modulus or divide by zero"):
        Condition.compile("1 / transfer.inputs > 0").evaluate({"transfer": {"inputs": 0}})
    with pytest.raises(RuleError, match="not a bool"):
        Condition.compile("transfer.inputs").evaluate({"transfer": {"inputs": 1}})
    # CEL's own absorption stays: `false && error` is false, not an error
    assert Condition.compile("false && 1 / transfer.inputs > 0").evaluate(
        {"transfer": {"inputs": 0}}) is False


def test_one_failing_rule_leaves_the_others_running() -> None:
    book = parse_rulebook(book_with('hits.exists(h, "CYBER2" in h.programz)'), "rb.yaml")
    engine = RuleEngine(book)
    enriched = Enricher(DictLookup([tornado_tag()])).enrich(scenario()[0])
    failures: list[RuleFailure] = []
    alerts = engine.evaluate(enriched, failures=failures)
    assert [a.rule for a in alerts] == ["sanctions-direct"]
    assert failures == [RuleFailure("custom", scenario()[0].id,
                                    "CEL error: no such member in mapping: 'programz'")]


def test_backtest_reports_rule_errors_and_still_shows_the_other_alerts(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(book_with('hits.exists(h, "CYBER2" in h.programz)'))
    result = CliRunner().invoke(main, [
        "--data-dir", str(tmp_path / "data"), "rules", "test", str(path),
        "--against", str(SEEDS_DIR / "demo" / "transfers.ndjson"), "--as-of", "2024-09-27",
        "--json"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["rule"] for line in result.stdout.splitlines()] == [
        "sanctions-direct", "sanctions-direct"]
    assert "rule custom failed on ethereum:0x" in result.stderr


def test_demo_with_a_misspelled_rule_runs_and_reports_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """On main the demo died with CELEvalError on the first sanctioned hit."""
    path = tmp_path / "typo.yaml"
    path.write_text(book_with('hits.exists(h, "CYBER2" in h.programz)'))
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "--rulebook",
                                       str(path), "demo"])
    assert result.exit_code == 0, result.output
    assert "rulebook type check:" in caplog.text and "has no field 'programz'" in caplog.text
    assert "demo: 5 alerts in the verifiable feed" in result.stderr  # as with the seeded book
    assert "demo: 4 dead letters (reasons in the log)" in result.stderr
    assert "rule custom failed on ethereum:0x" in caplog.text
