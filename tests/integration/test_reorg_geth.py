"""A forced reorg on real geth --dev, through Kafka and Redis: live and replay agree after it.

Issue 10 item 7 reproduced: a listed source pays A; the engine raises the direct alert and
taints A. ``debug_setHead`` then drops that block (geth does not put the transaction back
in its pool), and A — which holds clean funds of its own — pays B. Before the fix, the
direct alert stayed on the feed unflagged and A's un-rolled-back taint raised a false
2-hop alert on A → B (live 2 alerts, replay of the canonical chain 0). Then the dropped
transaction is broadcast again and mined in a new block (a retracted transfer re-included:
its taint must apply again), and A pays C: a true 2-hop alert.

The listed source is a fresh key (nobody holds the key of a real OFAC address), listed in
an OFAC-format address list (``sanctioned_addresses_ETH.txt``) that the product loads from
its seeds directory. The live pipeline is the product's App on the real Kafka and Redis;
the replay is ``txmon replay ethereum`` over the canonical range, tags from the same Redis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account
from kafka import KafkaAdminClient
from web3 import Web3

from alerts.feed import REINCLUDED_TYPE, RETRACTED_TYPE, verify_events
from ingest.ethereum import EthereumSource
from ingest.follower import Follower
from ingest.rpc import RpcClient
from tests.conftest import service_url
from tests.integration.test_exposure_geth import ETHER, _pay
from tests.integration.test_pipeline_kafka_redis import alert_events
from txmon.app import App
from txmon.bus.base import ALL_TOPICS, DEADLETTER, TRANSFERS
from txmon.cli.main import main
from txmon.engine import Engine
from txmon.settings import SEEDS_DIR, load_settings

pytestmark = pytest.mark.integration


def _seeds(tmp_path: Path, listed: str) -> Path:
    """A seeds directory whose only list names ``listed`` (published yesterday)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "sanctioned_addresses_ETH.txt").write_text(listed + "\n")
    shutil.copy(SEEDS_DIR / "rulebook.yaml", seeds / "rulebook.yaml")
    published = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    (seeds / "manifest.yaml").write_text(
        f"loads:\n  - format: ofac-address-list\n    published: {published.isoformat()}\n"
        "    paths: [sanctioned_addresses_ETH.txt]\n")
    return seeds


@pytest.fixture
def app(kafka_url: str, redis_url: str, namespace: str, tmp_path: Path,
        redis_cleanup: None) -> Iterator[App]:
    """The product's App on Kafka and Redis in the test's namespace, with test seeds."""
    source = Account.create()
    settings = load_settings(bus=kafka_url, store=redis_url, namespace=namespace,
                             data_dir=tmp_path, seeds_dir=_seeds(tmp_path, source.address))
    application = App(settings)
    application.source_key = source  # type: ignore[attr-defined]
    yield application
    application.close()
    admin = KafkaAdminClient(bootstrap_servers=kafka_url.removeprefix("kafka://").split(","))
    with contextlib.suppress(Exception):  # cleanup must not hide the test's own result
        admin.delete_topics([application.topic(name) for name in ALL_TOPICS])
    admin.close()


def _settle(follower: Follower, engine: Engine, start: int) -> None:
    """Ingest up to the head, then run the engine until it handled every delivered record."""
    while follower.step(start):
        pass
    expected = follower.metrics.transfers + follower.metrics.retracted
    deadline = time.monotonic() + 60

    def done() -> bool:
        handled = engine.stats.transfers + engine.stats.dead_letters
        return handled >= expected or time.monotonic() > deadline

    engine.run(stop=done)
    assert engine.stats.transfers + engine.stats.dead_letters >= expected, "engine fell behind"


def _standing(app: App) -> set[tuple[str, str, str]]:
    """(alert id, rule, transfer id) of every alert whose last word is not 'retracted'."""
    life = app.alert_store.lifecycle()
    out = set()
    for alert in app.alert_store.alerts():
        moves = [e["type"] for e in life.get(alert.id, [])
                 if e["type"] in (RETRACTED_TYPE, REINCLUDED_TYPE)]
        if not moves or moves[-1] != RETRACTED_TYPE:
            out.add((alert.id, alert.rule, alert.transfer_id))
    return out


def test_forced_reorg_live_feed_matches_a_replay_of_the_canonical_chain(
        app: App, tmp_path: Path) -> None:
    url = service_url("geth", "http://127.0.0.1:8545")
    w3 = Web3(Web3.HTTPProvider(url))
    assert w3.is_connected(), "geth is not running: scripts/services up geth"
    source, a, b, c = app.source_key, Account.create(), Account.create(), Account.create()  # type: ignore[attr-defined]
    dev = w3.eth.accounts[0]
    start = w3.eth.block_number + 1
    funding = []
    for to in (source.address, a.address):  # A's own clean funds: 1 ETH
        receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
            {"from": dev, "to": to, "value": ETHER}), timeout=30)
        assert receipt.status == 1
        funding.append("0x" + bytes(receipt.transactionHash).hex())

    rpc = EthereumSource(RpcClient(url))
    follower = Follower(rpc, app.store, app.producer(), batch_blocks=5, workers=1,
                        topic=app.topic(TRANSFERS), deadletter_topic=app.topic(DEADLETTER))
    engine = app.engine("live")
    tx = {"to": a.address, "value": ETHER // 2, "gas": 21_000,
          "gasPrice": w3.eth.gas_price * 2, "nonce": 0, "chainId": w3.eth.chain_id}
    signed = source.sign_transaction(tx)
    taint = "0x" + bytes(w3.eth.send_raw_transaction(signed.raw_transaction)).hex()
    orphan = w3.eth.wait_for_transaction_receipt(taint, timeout=30)
    _settle(follower, engine, start)
    paid_source, direct = engine.stats.new_alerts  # paying a listed address is exposure too
    assert (paid_source.rule, paid_source.tx_hash) == ("sanctions-direct", funding[0])
    assert (direct.rule, direct.tx_hash) == ("sanctions-direct", taint)

    # the reorg: the block with source → A leaves the chain, another takes its height
    w3.provider.make_request("debug_setHead", [hex(orphan.blockNumber - 1)])
    filler = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {"from": dev, "to": Account.create().address, "value": 1}), timeout=30)
    assert filler.blockNumber == orphan.blockNumber and filler.blockHash != orphan.blockHash
    clean = _pay(w3, a, b.address, ETHER // 4)  # A's own funds only, on the canonical chain
    _settle(follower, engine, start)
    assert follower.metrics.reorgs >= 1
    assert [x.tx_hash for x in engine.stats.new_alerts] == [funding[0], taint]  # no A → B

    # the dropped transaction is broadcast again and mined in a new block: taint re-applies
    w3.eth.send_raw_transaction(signed.raw_transaction)
    remined = w3.eth.wait_for_transaction_receipt(taint, timeout=30)
    assert remined.blockHash != orphan.blockHash
    onward = _pay(w3, a, c.address, ETHER // 10)
    _settle(follower, engine, start)
    head = w3.eth.block_number
    follower.close()
    rpc.close()

    events = alert_events(app)
    assert verify_events(events) == len(events) == 5
    orphan_hash = "0x" + bytes(orphan.blockHash).hex()
    new_hash = "0x" + bytes(remined.blockHash).hex()
    assert [(e["type"], e["data"].get("block_hash"), e["data"].get("tx_hash")) for e in events] == [
        ("io.txmon.alert.v1", None, funding[0]),
        ("io.txmon.alert.v1", None, taint),
        (RETRACTED_TYPE, orphan_hash, None),
        (REINCLUDED_TYPE, new_hash, None),
        ("io.txmon.alert.v1", None, onward)]
    retraction, reinclusion, onward_alert = events[2]["data"], events[3]["data"], events[4]["data"]
    assert events[2]["subject"] == events[3]["subject"] == direct.id
    assert (retraction["transfer_id"], retraction["block"]) == (direct.transfer_id,
                                                               orphan.blockNumber)
    assert reinclusion["block"] == remined.blockNumber
    assert onward_alert["rule"] == "sanctions-indirect"
    assert onward_alert["evidence"]["exposure"]["hops"] == 2
    assert all(e["data"].get("tx_hash") != clean for e in events)

    replayed = CliRunner().invoke(main, [
        "--data-dir", str(tmp_path / "replay"), "--store", app.settings.store,
        "--namespace", app.settings.namespace, "replay", "ethereum", "--rpc", url,
        "--from", str(start), "--to", str(head), "--json"],
        env={"TXMON_SEEDS_DIR": str(app.settings.seeds_dir)})
    assert replayed.exit_code == 0, replayed.output
    replay: set[Any] = {(x["id"], x["rule"], x["transfer_id"])
                        for x in map(json.loads, replayed.stdout.splitlines()) if x}
    assert replay == _standing(app) == {
        (paid_source.id, "sanctions-direct", paid_source.transfer_id),
        (direct.id, "sanctions-direct", direct.transfer_id),
        (onward_alert["id"], "sanctions-indirect", onward_alert["transfer_id"])}

    listed = CliRunner().invoke(main, [
        "--data-dir", str(tmp_path), "--store", app.settings.store, "--bus",
        app.settings.bus, "--namespace", app.settings.namespace, "alerts", "list"],
        env={"TXMON_SEEDS_DIR": str(app.settings.seeds_dir)})
    assert listed.exit_code == 0, listed.output
    assert f"RETRACTED: block {orphan.blockNumber} {orphan_hash}" in listed.stdout
    assert f"re-included: block {remined.blockNumber} {new_hash}" in listed.stdout
