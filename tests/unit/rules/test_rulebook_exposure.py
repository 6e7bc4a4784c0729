"""Rulebook validation of the exposure section and signals, and reload on mtime change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rules.reload import RulebookWatcher
from rules.rulebook import parse_rulebook
from txmon.errors import RulebookError

GOOD = """version: "1"
rules:
  - id: indirect
    title: t
    severity: high
    signal: exposure
    when: exposure.hops >= 2
exposure:
  model: poison
  max_hops: 4
  min_share: 0.05
  source: {kind: sanction, program: [CYBER2]}
"""


def test_exposure_section_parsed() -> None:
    book = parse_rulebook(GOOD, "rb.yaml")
    assert book.exposure is not None
    assert (book.exposure.model, book.exposure.max_hops, book.exposure.min_share_ppm) == (
        "poison", 4, 50_000)
    assert book.exposure.source.programs == frozenset({"CYBER2"})
    assert book.rules[0].signal == "exposure"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("model: poison", "model: lifo", "rb.yaml:9: exposure: model must be one of"),
    ("max_hops: 4", "max_hops: 0", "rb.yaml:9: exposure: max_hops must be"),
    ("min_share: 0.05", "min_share: 5", "rb.yaml:9: exposure: min_share must be"),
    ("min_share: 0.05", "min_shar: 0.05", "rb.yaml:9: exposure: unknown key(s): min_shar"),
    ("signal: exposure", "signal: sometimes", "rb.yaml:3: rule indirect: signal must be"),
    ("signal: exposure", "signal: direct", "rb.yaml:3: rule indirect: signal 'direct' needs"),
])
def test_errors_name_file_line_and_rule(old: str, new: str, message: str) -> None:
    with pytest.raises(RulebookError) as err:
        parse_rulebook(GOOD.replace(old, new), "rb.yaml")
    assert str(err.value).startswith(message)


def test_exposure_rule_without_section_is_refused() -> None:
    text = GOOD.split("exposure:\n  model")[0]
    with pytest.raises(RulebookError, match=r"rb\.yaml:1: a rule uses signal 'exposure'"):
        parse_rulebook(text, "rb.yaml")


def test_watcher_reloads_on_change_and_keeps_old_on_error(tmp_path: Path) -> None:
    path = tmp_path / "rb.yaml"
    path.write_text(GOOD)
    watcher = RulebookWatcher(path)
    assert watcher.poll() is None
    path.write_text(GOOD.replace('version: "1"', 'version: "2"'))
    os.utime(path, ns=(1, 10**18))
    reloaded = watcher.poll()
    assert reloaded is not None and reloaded.version == "2"
    path.write_text(GOOD.replace("model: poison", "model: nope"))
    os.utime(path, ns=(1, 2 * 10**18))
    assert watcher.poll() is None  # invalid: refused, running rulebook stays


def test_engine_swaps_rulebook_between_batches(tmp_path: Path) -> None:
    from rules.engine import RuleEngine
    from txmon.store.sqlite import SqliteStore

    path = tmp_path / "rb.yaml"
    path.write_text(GOOD)
    store = SqliteStore(tmp_path / "s.db")
    engine = RuleEngine(parse_rulebook(GOOD, str(path)), store=store, watch=path)
    assert engine.tracker is not None and engine.tracker.config.model == "poison"
    assert engine.maybe_reload() is False
    path.write_text(GOOD.replace('version: "1"', 'version: "2"').replace("poison", "fifo"))
    os.utime(path, ns=(1, 10**18))
    assert engine.maybe_reload() is True
    assert engine.rulebook.version == "2" and engine.tracker.config.model == "fifo"
    store.close()
