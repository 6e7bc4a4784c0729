"""``txmon alerts keygen | export | verify | history``: a signed feed end to end on the CLI.

Includes the OpenSSL recipe of docs/feed.md, run verbatim, so the documented way to check
a head without txmon's code is proven to work.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from alerts.feed import event_hash
from alerts.store import AlertStore
from tests.unit.alerts.sample import sample_alerts
from txmon.cli.main import main
from txmon.store.sqlite import SqliteStore

DOCS = Path(__file__).resolve().parents[3] / "docs" / "feed.md"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, dict[str, str], list[str]]:
    """A data dir with three stored alerts, a feed key in the environment, the alert ids."""
    data = tmp_path / "data"
    data.mkdir()
    store = SqliteStore(data / "store.sqlite")
    ids = [a.id for a in sample_alerts(3)]
    for alert in sample_alerts(3):
        AlertStore(store).raise_alert(alert)
    store.close()
    keygen = run(["alerts", "keygen", "--out", str(tmp_path / "keys" / "feed.pem")])
    assert keygen.exit_code == 0, keygen.output
    return data, {"TXMON_FEED_KEY_FILE": str(tmp_path / "keys" / "feed.pem")}, ids


def run(args: list[str], env: dict[str, str] | None = None, data: Path | None = None) -> Result:
    prefix = ["--data-dir", str(data)] if data else []
    return CliRunner().invoke(main, [*prefix, *args], env=env)


def export(tmp_path: Path, data: Path, env: dict[str, str]) -> tuple[Path, list[dict]]:
    out = tmp_path / "feed.ndjson"
    result = run(["alerts", "export", "--out", str(out)], env, data)
    assert result.exit_code == 0, result.output
    return out, [json.loads(line) for line in out.read_text().splitlines()]


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path: Path) -> None:
    private = tmp_path / "k" / "feed.pem"
    result = run(["alerts", "keygen", "--out", str(private)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in result.output and "PRIVATE KEY" in private.read_text()
    assert re.search(r"key id [0-9a-f]{16}", result.output)
    assert (tmp_path / "k" / "feed.pub.pem").read_text().startswith("-----BEGIN PUBLIC KEY")
    again = run(["alerts", "keygen", "--out", str(private)])
    assert again.exit_code == 2 and "never overwritten" in again.output


def test_export_is_signed_and_verifies_with_the_public_key(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    data, env, _ = setup
    out, records = export(tmp_path, data, env)
    assert [r.get("sequence") for r in records] == [1, 2, 3, None]
    assert records[-1]["type"] == "io.txmon.feed.checkpoint.v1"
    assert records[-1]["data"]["seq"] == 3 and records[-1]["data"]["hash"] == records[2]["hash"]
    pub = tmp_path / "keys" / "feed.pub.pem"
    ok = run(["alerts", "verify", str(out), "--pubkey", str(pub)])
    assert ok.exit_code == 0, ok.output
    assert "completeness proven up to sequence 3" in ok.output
    plain = run(["alerts", "verify", str(out)])
    assert plain.exit_code == 0 and "origin NOT proven" in plain.output
    # A second export re-uses the stored head instead of signing a new one.
    _, again = export(tmp_path, data, env)
    assert again == records


def test_verify_rejects_forgeries_and_unsigned_tails(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    data, env, _ = setup
    _, records = export(tmp_path, data, env)
    pub = str(tmp_path / "keys" / "feed.pub.pem")
    events, head = records[:3], records[3]
    forged = [dict(e) for e in events]
    forged[0]["data"] = {**forged[0]["data"], "amount": "1"}
    prev = ""
    for event in forged:
        event["prevhash"] = prev
        event["hash"] = prev = event_hash(event)
    rewritten = run(["alerts", "verify", str(write(tmp_path / "f1", [*forged, head])),
                     "--pubkey", pub])
    assert rewritten.exit_code == 1 and "rewritten" in rewritten.output
    unsigned = run(["alerts", "verify", str(write(tmp_path / "f2", forged)), "--pubkey", pub])
    assert unsigned.exit_code == 1 and "3 events (no head) are UNSIGNED" in unsigned.output
    extra = {**events[2], "id": "e" * 64, "sequence": 4, "prevhash": events[2]["hash"]}
    extra["hash"] = event_hash(extra)
    appended = write(tmp_path / "f3", [*records, extra])
    tail = run(["alerts", "verify", str(appended), "--pubkey", pub])
    assert tail.exit_code == 1 and "1 events after the signed head 3 are UNSIGNED" in tail.output
    allowed = run(["alerts", "verify", str(appended), "--pubkey", pub, "--allow-unsigned-tail"])
    assert allowed.exit_code == 0 and "UNSIGNED" in allowed.output
    kept = write(tmp_path / "head.json", [head])
    truncated = run(["alerts", "verify", str(write(tmp_path / "f4", events[:2])),
                     "--pubkey", pub, "--checkpoint", str(kept), "--allow-unsigned-tail"])
    assert truncated.exit_code == 1 and "truncated tail" in truncated.output
    run(["alerts", "keygen", "--out", str(tmp_path / "other.pem")])
    stranger = run(["alerts", "verify", str(tmp_path / "feed.ndjson"),
                    "--pubkey", str(tmp_path / "other.pub.pem")])
    assert stranger.exit_code == 1 and "unknown key" in stranger.output


def test_a_key_file_others_can_read_is_refused(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    data, env, _ = setup
    os.chmod(env["TXMON_FEED_KEY_FILE"], 0o644)
    result = run(["alerts", "export", "--out", str(tmp_path / "x")], env, data)
    assert result.exit_code == 2 and "chmod 600" in result.output
    assert "PRIVATE KEY" not in result.output


def recipe() -> str:
    text = DOCS.read_text()
    block = text.split("<!-- recipe:", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert "openssl pkeyutl -verify" in block
    return block


@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("jq")),
                    reason="needs openssl and jq on the machine")
def test_documented_openssl_recipe_verifies_a_head(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    data, env, _ = setup
    _, records = export(tmp_path, data, env)
    work = tmp_path / "regulator"
    work.mkdir()
    shutil.copy(tmp_path / "keys" / "feed.pub.pem", work / "exchange.pub.pem")
    write(work / "head.json", [records[-1]])
    ok = subprocess.run(["bash", "-euo", "pipefail", "-c", recipe()], cwd=work,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "Signature Verified Successfully" in ok.stdout
    tampered = {**records[-1], "data": {**records[-1]["data"], "seq": 2}}
    write(work / "head.json", [tampered])
    bad = subprocess.run(["bash", "-euo", "pipefail", "-c", recipe()], cwd=work,
                         capture_output=True, text=True)
    assert bad.returncode != 0
    # The documented hash recipe: jq's sorted compact JSON is the hashed body.
    for event in records[:3]:
        body = subprocess.run(["jq", "-cjS", "del(.hash)"], input=json.dumps(event),
                              capture_output=True, text=True, check=True).stdout
        assert hashlib.sha256(body.encode()).hexdigest() == event["hash"]


def test_history_of_a_trail_whose_last_entries_were_deleted_fails(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    data, env, ids = setup
    base = ["alerts"]
    for status in ("investigating", "escalated"):
        changed = run([*base, "status", ids[0], status, "--by", "ana", "--reason", "checked"],
                      env, data)
        assert changed.exit_code == 0, changed.output
    intact = run([*base, "history", ids[0]], env, data)
    assert intact.exit_code == 0, intact.output
    assert "2 changes, trail intact, signed head verified" in intact.stderr
    db = sqlite3.connect(data / "store.sqlite")
    db.execute("DELETE FROM log_entry WHERE log = ? AND seq = 2", (f"alert-status:{ids[0]}",))
    db.commit()
    db.close()
    broken = run([*base, "history", ids[0]], env, data)
    assert broken.exit_code == 1
    assert "trail BROKEN: trail ends at entry 1, before its signed head 2" in broken.stderr


def test_key_from_the_environment_signs_and_is_never_shown(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    from txmon.settings import load_settings

    data, env, _ = setup
    pem = Path(env["TXMON_FEED_KEY_FILE"]).read_text()
    out, records = export(tmp_path, data, {"TXMON_FEED_KEY": pem})
    assert records[-1]["type"] == "io.txmon.feed.checkpoint.v1"
    assert run(["alerts", "verify", str(out), "--pubkey",
                str(tmp_path / "keys" / "feed.pub.pem")]).exit_code == 0
    settings = load_settings(feed_key=pem)
    assert "PRIVATE" not in repr(settings) and "PRIVATE" not in str(settings.model_dump())
    both = run(["alerts", "export", "--out", str(tmp_path / "y")],
               {**env, "TXMON_FEED_KEY": pem}, data)
    assert both.exit_code == 2 and "only one of" in both.output
    assert "PRIVATE KEY" not in both.output


def test_rotated_key_old_heads_verify_with_the_old_key(
        tmp_path: Path, setup: tuple[Path, dict[str, str], list[str]]) -> None:
    data, env, _ = setup
    export(tmp_path, data, env)  # head 3 signed by the first key
    store = SqliteStore(data / "store.sqlite")
    AlertStore(store).raise_alert(sample_alerts(4)[3])
    store.close()
    assert run(["alerts", "keygen", "--out", str(tmp_path / "keys" / "new.pem")]).exit_code == 0
    out, records = export(tmp_path, data, {"TXMON_FEED_KEY_FILE": str(tmp_path / "keys" /
                                                                        "new.pem")})
    heads = [(r["data"]["seq"], r["data"]["kid"]) for r in records if "sequence" not in r]
    assert [seq for seq, _ in heads] == [3, 4] and heads[0][1] != heads[1][1]
    keys = tmp_path / "keys"
    both = run(["alerts", "verify", str(out), "--pubkey",
                f"{keys / 'feed.pub.pem'},{keys / 'new.pub.pem'}"])
    assert both.exit_code == 0, both.output
    assert "completeness proven up to sequence 4" in both.output
    new_only = run(["alerts", "verify", str(out), "--pubkey", str(keys / "new.pub.pem")])
    assert new_only.exit_code == 1 and "unknown key" in new_only.output
