"""The console's replay job on real blocks (geth --dev): it finds the alert ``txmon replay``
finds, by the same code, and the live queue never shows it.

A fresh account is listed as a sanction through the tag store and funded by the dev
account; the console replays that block as of a date in a background job, polled over its
JSON endpoint, and the CLI replays the same block for comparison.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from web3 import Web3

from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from screening.api import create_app
from screening.auth import User
from screening.console.replay import Replayer
from screening.runtime import open_service
from tests.conftest import service_url
from txmon.app import App
from txmon.models import Tag, TagKind
from txmon.settings import load_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ANALYST = {"Authorization": "Bearer console-replay-analyst"}


def test_console_replay_job_finds_the_cli_alert_and_keeps_it_out_of_the_queue(
        tmp_path: Path) -> None:
    url = service_url("geth", "http://127.0.0.1:8545")
    w3 = Web3(Web3.HTTPProvider(url))
    assert w3.is_connected(), "geth is not running: scripts/services up geth"
    listed = Account.create().address
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": listed, "value": 10**18})
    block = w3.eth.wait_for_transaction_receipt(tx, timeout=30).blockNumber
    app = App(load_settings(data_dir=tmp_path))
    try:
        app.tag_index  # noqa: B018 - seed first, as a deployment would have
        tag = Tag(address=listed.lower(), chain="ethereum", source="console-replay-test",
                  kind=TagKind.SANCTION, entity="geth dev account", category="sanctioned")
        TagStore(app.store).load(LoadedList("console-replay-test", [tag],
                                            published=dt.date(2025, 6, 1)), "test")
        api = create_app(open_service(app), app.alert_store, {"console-replay-analyst":
                         "analyst"}, {"console-replay-analyst": User("alice", "analyst")},
                         app.feed_signer, Replayer.from_app(app))
        with TestClient(api, base_url="http://127.0.0.1") as client:
            started = client.post("/v1/console/replays", headers=ANALYST, json={
                "chain": "ethereum", "rpc_url": url, "from": block - 1, "to": block,
                "as_of": "2026-01-15"})
            assert started.status_code == 202, started.text
            job_id = started.json()["id"]
            for _ in range(600):
                job = client.get(f"/v1/console/replays/{job_id}", headers=ANALYST).json()
                if job["status"] != "running":
                    break
                time.sleep(0.1)
            assert job["status"] == "done", job["error"]
            assert (job["blocks_done"], job["blocks_total"], job["mode"]) == (
                2, 2, "as-of 2026-01-15")
            assert job["transfers"] >= 1 and job["alerts"] == len(job["alert_ids"]) >= 1
            page = client.get(f"/replay/jobs/{job_id}", headers=ANALYST).text
            assert listed.lower() in page and "replay · not in the live queue" in page
            live = client.get("/v1/console/alerts", headers=ANALYST,
                              params={"limit": 200}).json()
            assert not {r["id"] for r in live["rows"]} & set(job["alert_ids"])
            assert listed.lower() not in json.dumps(live)
        assert list(app.alert_store.events(1)) == []  # nothing in the live feed either
    finally:
        app.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TXMON_")}
    done = subprocess.run(
        [sys.executable, "-m", "txmon", "--data-dir", str(tmp_path), "replay", "ethereum",
         "--rpc", url, "--from", str(block - 1), "--to", str(block), "--as-of", "2026-01-15",
         "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        check=False)
    assert done.returncode == 0, done.stderr
    cli = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert sorted(a["id"] for a in cli) == sorted(job["alert_ids"])  # one code path
    direct = [a for a in cli if a["rule"] == "sanctions-direct"]
    assert direct and direct[0]["tx_hash"] == f"0x{bytes(tx).hex()}"
    assert listed.lower() in direct[0]["addresses"]
