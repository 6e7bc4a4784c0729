"""The tag vocabulary (seeds/vocabulary.yaml) is data that loaders map through and the
rulebook is validated against: a typo in a rule's match is an error, not a dead rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from enrich.sources.graphsense import GraphsenseSource
from enrich.sources.labels_json import category
from rules.rulebook import load_rulebook
from screening.service import RISKY_CATEGORIES
from txmon.cli.main import main
from txmon.errors import ConfigError, RulebookError
from txmon.models import TagKind
from txmon.vocabulary import parse, vocabulary

REPO = Path(__file__).resolve().parents[3]
RULE = ("version: 1\nrules:\n  - id: typo\n    title: t\n    severity: high\n"
        "    match: {MATCH}\n")


def _check(tmp_path: Path, match: str) -> tuple[int, str]:
    path = tmp_path / "book.yaml"
    path.write_text(RULE.replace("{MATCH}", match))
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    return result.exit_code, result.output


def test_a_misspelled_kind_fails_rules_check_naming_file_line_rule_and_the_known_kinds(
        tmp_path: Path) -> None:
    code, output = _check(tmp_path, "{kind: sanctions}")
    assert code == 2
    assert (f"{tmp_path / 'book.yaml'}:3: rule typo: 'match': unknown kind 'sanctions' "
            "(tag vocabulary 2026.12.0: entity, sanction)") in output


def test_a_misspelled_category_or_source_fails_too(tmp_path: Path) -> None:
    code, output = _check(tmp_path, "{kind: entity, category: [mixer, darknett]}")
    assert code == 2 and "unknown category 'darknett'" in output
    code, output = _check(tmp_path, "{kind: sanction, source: ofac}")
    assert code == 2 and "unknown source 'ofac'" in output
    code, output = _check(tmp_path, "{kind: sanction, source: jp-mof}")
    assert code == 0, output
    assert "tag vocabulary 2026.12.0" in output


def test_the_exposure_source_is_checked_like_a_match(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.write_text(RULE.replace("{MATCH}", "{kind: sanction}")
                    + "exposure:\n  model: poison\n  max_hops: 2\n  min_share: 0.1\n"
                    "  source: {kind: sanctoin}\n")
    with pytest.raises(RulebookError, match="unknown kind 'sanctoin'"):
        load_rulebook(path)


def test_the_shipped_rulebook_uses_only_the_vocabulary() -> None:
    book = load_rulebook(REPO / "seeds" / "rulebook.yaml")
    words = vocabulary()
    for rule in book.rules:
        if rule.match is not None:
            assert rule.match.categories <= words.categories
            assert rule.match.kind is None or rule.match.kind in words.kinds


def test_tag_kind_enum_is_the_vocabulary_kinds() -> None:
    assert {k.value for k in TagKind} == vocabulary().kinds


def test_loaders_map_list_terms_through_the_vocabulary() -> None:
    loaded = GraphsenseSource().load([REPO / "tests/data/tags/graphsense/tornado_cash.yaml"])
    assert {t.category for t in loaded.tags} == {"mixer"}  # the pack says mixing_service
    assert category("binance") == "exchange"
    assert category("tornado-cash") == "mixer"
    assert category("euler-finance-exploit") == "hack"
    assert category("defi") == "defi"  # a term with no mapping is kept


def test_screening_reviews_the_risky_categories_and_their_list_terms() -> None:
    assert {"mixer", "darknet", "ransomware", "scam", "hack", "sanctioned", "mixing_service",
            "darknet_market", "hacker"} <= RISKY_CATEGORIES
    assert not {"exchange", "token", "listed"} & RISKY_CATEGORIES


def test_a_malformed_vocabulary_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"x\.yaml: not a tag vocabulary"):
        parse({"version": 1, "kinds": ["sanction"]}, "x.yaml")
