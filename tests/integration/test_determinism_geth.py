"""Same range, rulebook and as-of date: identical alert ids and evidence, live or replayed.

Transfers are mined on geth --dev: dev → S (funding), S → A, A → B, B → C, where S is a
fresh account listed as a sanction through the tag store (a dev chain cannot spend from a
real OFAC address). They are (a) followed live by the follower and the engine, running in
threads on the embedded backends with ``settings.as_of`` = D, and (b) replayed by
``python -m txmon replay ethereum --as-of D --json`` in a subprocess whose data dir holds
the same list. The alerts of the range must be the same bytes, in the same order.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from ingest.ethereum.source import EthereumSource
from ingest.follower import Follower
from ingest.rpc import RpcClient
from tests.conftest import service_url
from txmon.app import App
from txmon.bus.base import DEADLETTER, TRANSFERS
from txmon.models import Alert, Tag, TagKind
from txmon.settings import load_settings
from txmon.wire import alert_to_wire, dumps, loads

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ETHER = 10**18
AS_OF = dt.date(2026, 1, 15)  # any fixed date after the list's publication


def _pay(w3: Web3, key: Any, to: str, value: int) -> str:
    tx = {"to": to, "value": value, "gas": 21_000, "gasPrice": w3.eth.gas_price * 2,
          "nonce": w3.eth.get_transaction_count(key.address), "chainId": w3.eth.chain_id}
    tx_hash = w3.eth.send_raw_transaction(key.sign_transaction(tx).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30).status == 1
    return "0x" + bytes(tx_hash).hex()


def _list(app: App, address: str) -> None:
    """The same one-address sanctions list, loaded the way ``txmon tags load`` stores it."""
    tag = Tag(address=address, chain="ethereum", source="determinism-test",
              kind=TagKind.SANCTION, entity="geth dev source", category="sanctioned")
    listed = LoadedList("determinism-test", [tag], published=dt.date(2025, 6, 1))
    TagStore(app.store).load(listed, "test")
    app.tag_index.refresh()  # type: ignore[attr-defined]


def _live(w3: Web3, app: App, start: int, hashes: list[str]) -> list[Alert]:
    """Follow from ``start`` in threads until every hash in ``hashes`` has alerted."""
    source = EthereumSource(RpcClient(w3.provider.endpoint_uri))
    follower = Follower(source, app.store, app.producer(), topic=app.topic(TRANSFERS),
                        deadletter_topic=app.topic(DEADLETTER), batch_blocks=5, workers=1)
    engine = app.engine("live")
    stop = threading.Event()
    threads = [threading.Thread(target=follower.follow, daemon=True, kwargs={
                   "start": start, "poll_interval": 0.2, "stop": stop}),
               threading.Thread(target=engine.run, kwargs={"stop": stop.is_set}, daemon=True)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            alerted = {a.tx_hash for a in app.alert_store.alerts()}
            if alerted >= set(hashes):
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        follower.close()
        source.close()
    return list(app.alert_store.alerts())


def test_live_and_replayed_alerts_are_identical(tmp_path: Path) -> None:
    url = service_url("geth", "http://127.0.0.1:8545")
    w3 = Web3(Web3.HTTPProvider(url))
    assert w3.is_connected(), "geth is not running: scripts/services up geth"
    s, a, b, c = (Account.create() for _ in range(4))
    listed = s.address.lower()

    live = App(load_settings(data_dir=tmp_path / "live", as_of=AS_OF))
    _list(live, listed)
    start = w3.eth.block_number + 1
    fund = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": s.address,
                                    "value": 2 * ETHER})
    assert w3.eth.wait_for_transaction_receipt(fund, timeout=30).status == 1
    hashes = ["0x" + bytes(fund).hex(), _pay(w3, s, a.address, ETHER),
              _pay(w3, a, b.address, ETHER // 2), _pay(w3, b, c.address, ETHER // 5)]
    end = w3.eth.get_transaction_receipt(hashes[-1]).blockNumber
    try:
        followed = [x for x in _live(w3, live, start, hashes) if start <= x.block <= end]
    finally:
        live.close()

    replay_dir = tmp_path / "replay"
    _list_in(replay_dir, listed)
    env = {**os.environ, "TXMON_DATA_DIR": str(replay_dir)}
    env.pop("TXMON_AS_OF", None)
    done = subprocess.run(
        [sys.executable, "-m", "txmon", "--data-dir", str(replay_dir), "replay", "ethereum",
         "--rpc", url, "--from", str(start), "--to", str(end), "--as-of", AS_OF.isoformat(),
         "--json"], cwd=ROOT, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    replayed = [line for line in done.stdout.splitlines() if line.startswith(b"{")]

    mine = [x for x in followed if x.tx_hash in hashes]
    assert [(x.rule, x.tx_hash) for x in mine] == [
        ("sanctions-direct", hashes[0]), ("sanctions-direct", hashes[1]),
        ("sanctions-indirect", hashes[2]), ("sanctions-indirect", hashes[3])]
    assert all(x.as_of == AS_OF for x in mine)
    assert [h["to"] for h in mine[3].evidence["exposure"]["path"]] == [  # type: ignore[index]
        a.address.lower(), b.address.lower(), c.address.lower()]
    assert replayed == [dumps(alert_to_wire(x)) for x in followed]
    assert {x.evidence["mode"] for x in followed} == {f"as-of {AS_OF.isoformat()}"}

    # Without --as-of: point in time (each block's date), and every alert says so.
    plain = subprocess.run(
        [sys.executable, "-m", "txmon", "--data-dir", str(replay_dir), "replay", "ethereum",
         "--rpc", url, "--from", str(start), "--to", str(end), "--json"],
        cwd=ROOT, env=env, capture_output=True, timeout=120, check=False)
    assert plain.returncode == 0, plain.stderr.decode()
    at_the_time = [loads(line) for line in plain.stdout.splitlines() if line.startswith(b"{")]
    assert [(x["rule"], x["tx_hash"]) for x in at_the_time] == [
        (x.rule, x.tx_hash) for x in followed]
    assert {x["evidence"]["mode"] for x in at_the_time} == {"replay-point-in-time"}
    assert b"(replay-point-in-time)" in plain.stderr
    assert not any(x["retroactive"] for x in at_the_time)


def _list_in(data_dir: Path, address: str) -> None:
    app = App(load_settings(data_dir=data_dir))
    try:
        app.tag_index  # noqa: B018 - seed first, as a deployment would have
        _list(app, address)
    finally:
        app.close()
