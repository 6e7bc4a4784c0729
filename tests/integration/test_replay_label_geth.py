"""`txmon replay` output says that its alerts come from a replay (real blocks on geth --dev).

A fresh account is listed as a sanction through the tag store, funded by the dev account,
and the block holding that transfer is replayed by the CLI in human-readable form.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from tests.conftest import service_url
from txmon.app import App
from txmon.models import Tag, TagKind
from txmon.settings import load_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_replayed_alert_is_labelled_replay_with_its_block(tmp_path: Path) -> None:
    url = service_url("geth", "http://127.0.0.1:8545")
    w3 = Web3(Web3.HTTPProvider(url))
    assert w3.is_connected(), "geth is not running: scripts/services up geth"
    listed = Account.create().address
    app = App(load_settings(data_dir=tmp_path))
    try:
        app.tag_index  # noqa: B018 - seed first, as a deployment would have
        tag = Tag(address=listed.lower(), chain="ethereum", source="label-test",
                  kind=TagKind.SANCTION, entity="geth dev account", category="sanctioned")
        TagStore(app.store).load(LoadedList("label-test", [tag], published=dt.date(2025, 6, 1)),
                                 "test")
    finally:
        app.close()
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": listed, "value": 10**18})
    block = w3.eth.wait_for_transaction_receipt(tx, timeout=30).blockNumber
    env = {k: v for k, v in os.environ.items() if not k.startswith("TXMON_")}
    done = subprocess.run(
        [sys.executable, "-m", "txmon", "--data-dir", str(tmp_path), "replay", "ethereum",
         "--rpc", url, "--from", str(block), "--to", str(block), "--as-of", "2026-01-15"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    [line] = [x for x in done.stdout.splitlines() if x.startswith("[")]
    assert line.startswith("[CRITICAL] sanctions-direct (replay, as of 2026-01-15) ethereum "
                           f"block {block} tx 0x{bytes(tx).hex()}")
