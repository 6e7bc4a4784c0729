"""``txmon rules check`` and ``txmon rules test`` (shadow mode) through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from txmon.cli.main import main

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


def test_check_ok_and_error_names_line_and_rule(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["rules", "check", str(SEEDS / "rulebook.yaml")])
    assert ok.exit_code == 0
    assert "version 2026.12.0, 5 enabled rules, exposure haircut, max 3 hops" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text('version: 1\nrules:\n  - id: x\n    title: t\n    severity: high\n'
                   '    when: "transfer.units_micro >"\n')
    result = runner.invoke(main, ["rules", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3: rule x: condition does not compile" in result.output


def test_backtest_shows_what_would_be_raised_and_stores_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path / "data"), "rules", "test",
            str(SEEDS / "rulebook.yaml"), "--against", str(SEEDS / "demo" / "transfers.ndjson"),
            "--as-of", "2024-09-27", "--json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(a["rule"], a["addresses"]) for a in alerts] == [
        ("sanctions-direct", ["0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"]),
        ("sanctions-direct", ["0x722122df12d4e14e13ac3b6895a86e84145b6967"])]
    assert "would raise 2 alerts on 8 transfers" in result.stderr
    listed = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "alerts", "list"])
    assert "0 alerts" in listed.stderr
    # Block dates (2021): Tornado Cash was not designated yet (2022-08-08); 0x8576… fires
    # only through its earlier listing for ANDREYEV (2020-09-10).
    live = runner.invoke(main, [*args[:-3], "--json"])
    assert live.exit_code == 0, live.output
    live_alerts = [json.loads(line) for line in live.stdout.splitlines()]
    assert [(a["as_of"], a["addresses"]) for a in live_alerts] == [
        ("2021-07-28", ["0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"])]
    entities = {t["entity"] for t in live_alerts[0]["evidence"]["matches"][0]["tags"]}
    assert entities == {"ANDREYEV, Anton Nikolaeyvich"}
