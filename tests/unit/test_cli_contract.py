"""The fixed CLI contract of DESIGN.md: every command is listed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from txmon.cli import main

CONTRACT = ["demo", "tags", "ingest", "engine", "replay", "alerts", "screen"]


def test_help_lists_every_contract_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()}
    assert set(CONTRACT) <= listed


def test_every_command_resolves_and_a_screen_imports_no_pipeline() -> None:
    """Commands load on use: each name gives its command, and resolving ``screen`` (a
    one-off that must start in under a second) imports neither the engine nor kafka."""
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert set(CONTRACT) <= set(names)
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name
    probe = ("import sys; from txmon.cli.main import main; import click; "
             "main.get_command(click.Context(main), 'screen'); "
             "print(sorted(m for m in ('txmon.engine', 'kafka', 'alerts.feed', 'uvicorn') "
             "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


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


def test_demo_shows_direct_indirect_and_retroactive_alerts(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "demo", "--json"])
    assert result.exit_code == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    for alert in alerts:
        assert {"id", "rule", "severity", "chain", "tx_hash", "block", "asset", "amount",
                "addresses", "evidence"} <= set(alert)
    live = [a for a in alerts if not a["retroactive"]]
    retro = [a for a in alerts if a["retroactive"]]
    # 1. direct, on its block date, against the 2022-03-15 list: POTEKHIN, Danil (CYBER2)
    direct = [a for a in live if a["rule"] == "sanctions-direct"]
    assert [a["addresses"] for a in direct] == [["0x7f367cc41522ce07553e823bf3be79a889debe1b"]]
    # 2. indirect: 60 ETH and 25 ETH two and three hops away, with the hop path
    indirect = [a for a in live if a["rule"] == "sanctions-indirect"]
    assert [a["amount"] for a in indirect] == [str(60 * 10**18), str(25 * 10**18)]
    assert [a["evidence"]["exposure"]["hops"] for a in indirect] == [2, 3]
    # 3. retroactive after the 2024-05-03 SDN list: real mainnet transfers of 2021
    assert {a["tx_hash"] for a in retro} == {
        "0xd7449b5beca2ace54c888e1b2e91220381f6665fb0d8e5650b6a1e860e812742",  # Tornado Cash
        "0xbf2f9285e20f05be9e3631918e56c4044e2b7c32bec0dd951a87d8eb45260f11",  # ANDREYEV
    }
    deposit = next(a for a in retro if a["block"] == 13326607)
    assert deposit["amount"] == "10000000000000000000"  # 10 ETH in wei, as a string
    assert deposit["addresses"] == ["0x722122df12d4e14e13ac3b6895a86e84145b6967"]
    assert deposit["list_version"].startswith("ofac-sdn@2024-05-03")
