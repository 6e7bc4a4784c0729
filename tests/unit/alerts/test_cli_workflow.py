"""``txmon alerts status`` and ``txmon alerts history`` on the embedded store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from alerts.store import AlertStore
from tests.unit.alerts.sample import sample_alerts
from txmon.cli.main import main
from txmon.store.sqlite import SqliteStore


def test_status_and_history(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    store = SqliteStore(data / "store.sqlite")
    alert = sample_alerts(1)[0]
    AlertStore(store).raise_alert(alert)
    store.close()
    runner = CliRunner()
    base = ["--data-dir", str(data), "alerts"]
    ok = runner.invoke(main, [*base, "status", alert.id, "investigating", "--by", "ana",
                              "--reason", "checking the counterparty"])
    assert ok.exit_code == 0, ok.output
    assert f"{alert.id}: open → investigating by ana" in ok.output
    refused = runner.invoke(main, [*base, "status", alert.id, "open", "--by", "ana",
                                   "--reason", "undo"])
    assert refused.exit_code == 2
    assert "cannot go from investigating to open" in refused.output
    hist = runner.invoke(main, [*base, "history", alert.id, "--json"])
    assert hist.exit_code == 0, hist.output
    rows = [json.loads(line) for line in hist.stdout.splitlines()]
    assert [(r["seq"], r["previous"], r["status"], r["by"]) for r in rows] == [
        (1, "open", "investigating", "ana")]
    assert "status investigating, 1 changes, trail intact" in hist.stderr
    missing = runner.invoke(main, [*base, "history", "0" * 32])
    assert missing.exit_code == 2
