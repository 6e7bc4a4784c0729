"""docs/operations.md's performance table is what bench/report.py makes of bench/results."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_operations_doc_table_is_generated_from_the_result_files() -> None:
    report = _report()
    doc = (ROOT / "docs" / "operations.md").read_text()
    table = report.render_table()
    assert report.with_table(doc, table) == doc, (
        "docs/operations.md differs from bench/results: run `python bench/report.py --write`")
    assert table.count("\n| ") >= 4  # the engine, screen and rules rows at least


def test_a_changed_result_changes_the_table(tmp_path: Path) -> None:
    """The table reads the figures (median, min–max, load) from the files, not from code."""
    report = _report()
    result = {"benchmark": "rules", "repeats": 3, "date": "2026-12-04T19:00:00+00:00",
              "modes": {mode: {"transfers_per_s_per_core": 123_456,
                               "transfers_per_s_per_core_min": 120_000,
                               "transfers_per_s_per_core_max": 130_000,
                               "loadavg_1m_per_run": [1.5, 2.25, 3.0]}
                        for mode in ("rules_with_exposure", "enrich_rules_no_exposure",
                                     "rules_with_exposure_untagged_traffic")}}
    (tmp_path / "rules.json").write_text(json.dumps(result))
    table = report.render_table(tmp_path)
    [row] = [line for line in table.splitlines() if line.startswith("| enrich + rules")]
    assert "1 % tagged, exposure state on SQLite: 123.5 k (120.0 k–130.0 k)" in row
    assert "load 1.5–3" in row and "2026-12-04" in row
    assert "engine" not in table  # no result file, no row
