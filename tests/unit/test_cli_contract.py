"""The fixed CLI contract of DESIGN.md: every command is listed; unbuilt ones say so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from txmon.cli import main

CONTRACT = ["demo", "tags", "ingest", "engine", "replay", "alerts", "screen"]


def test_help_lists_every_contract_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()}
    assert set(CONTRACT) <= listed


def test_unbuilt_command_exits_non_zero_without_fake_output(tmp_path: Path) -> None:
    placeholders = [name for name, cmd in main.commands.items()
                    if (cmd.help or "").startswith("[not built yet]")]
    for name in placeholders:
        result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), name, "x"])
        assert result.exit_code == 3, name
        assert result.stdout == ""
        assert "not built yet" in result.stderr


def test_invalid_setting_is_a_clear_usage_error() -> None:
    result = CliRunner().invoke(main, ["--bus", "redis://nope", "alerts", "list"])
    assert result.exit_code == 2
    assert "TXMON_BUS" in result.output and "kafka://" in result.output


def test_unreachable_redis_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path), "--store", "redis://127.0.0.1:1/0", "alerts", "list"]
    )
    assert result.exit_code == 2
    assert "Redis at redis://127.0.0.1:1/0 is unreachable" in result.stderr


def test_demo_prints_alerts_on_real_ofac_addresses(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "demo", "--json"])
    assert result.exit_code == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    flagged = {addr for alert in alerts for addr in alert["addresses"]}
    assert flagged == {"0x722122df12d4e14e13ac3b6895a86e84145b6967",
                       "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"}
    for alert in alerts:
        assert {"id", "rule", "severity", "chain", "tx_hash", "block", "asset", "amount",
                "addresses", "evidence"} <= set(alert)
    deposit = next(a for a in alerts if a["block"] == 13326607)
    assert deposit["amount"] == "10000000000000000000"  # 10 ETH in wei, as a string
