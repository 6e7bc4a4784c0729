"""Multi-hop exposure over real transfers mined on geth --dev, ingested by the real follower.

A fresh account plays the listed source (a dev chain cannot spend from a real OFAC
address: nobody here holds its key); it is tagged as a sanction in the test's own lookup.
Funds go source → A → B → C, signed locally by fresh keys; the follower ingests the blocks
onto the embedded bus and the rule engine with the default rulebook's exposure section
(haircut, 3 hops, 1 %) sees them in block order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from enrich.enricher import Enricher
from ingest.ethereum import EthereumSource
from ingest.follower import Follower
from ingest.rpc import RpcClient
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from tests.conftest import service_url
from tests.unit.rules.factory import DictLookup
from txmon.bus.base import TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.models import Tag, TagKind, TransferKind
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

pytestmark = pytest.mark.integration
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ETHER = 10**18


def _pay(w3: Web3, key: Any, to: str, value: int) -> str:
    tx = {"to": to, "value": value, "gas": 21_000, "gasPrice": w3.eth.gas_price * 2,
          "nonce": w3.eth.get_transaction_count(key.address), "chainId": w3.eth.chain_id}
    signed = key.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt.status == 1
    return "0x" + bytes(tx_hash).hex()


def test_taint_follows_real_transfers_hop_by_hop(tmp_path: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(service_url("geth", "http://127.0.0.1:8545")))
    assert w3.is_connected(), "geth is not running: scripts/services up geth"
    source, a, b, c = (Account.create() for _ in range(4))
    start = w3.eth.block_number + 1
    fund = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {"from": w3.eth.accounts[0], "to": source.address, "value": 2 * ETHER}), timeout=30)
    assert fund.status == 1
    hops = [_pay(w3, source, a.address, ETHER), _pay(w3, a, b.address, ETHER // 2),
            _pay(w3, b, c.address, ETHER // 5)]

    bus = EmbeddedBus(tmp_path / "bus.db")
    store = SqliteStore(tmp_path / "store.db")
    rpc_source = EthereumSource(RpcClient(w3.provider.endpoint_uri))
    follower = Follower(rpc_source, store, bus.producer(), batch_blocks=5, workers=1)
    while follower.step(start):
        pass
    consumer = bus.consumer([TRANSFERS], "check")
    transfers = []
    while batch := consumer.poll(timeout=0.1, max_records=10_000):
        transfers += [decode_transfer(m.value) for m in batch]
    mine = [t for t in transfers if t.tx_hash in hops and t.kind is TransferKind.NATIVE]
    assert [t.tx_hash for t in mine] == hops  # block order

    listed = source.address.lower()
    tag = Tag(address=listed, chain="ethereum", source="test", kind=TagKind.SANCTION,
              entity="geth dev source", category="sanctioned")
    engine = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store)
    enricher = Enricher(DictLookup([tag]))
    alerts = [a for t in mine for a in engine.evaluate(enricher.enrich(t))]
    assert [(x.rule, x.tx_hash) for x in alerts] == [
        ("sanctions-direct", hops[0]), ("sanctions-indirect", hops[1]),
        ("sanctions-indirect", hops[2])]
    path = alerts[2].evidence["exposure"]["path"]  # type: ignore[index]
    assert [(h["from"], h["to"], h["amount"]) for h in path] == [
        (listed, a.address.lower(), str(ETHER)),
        (a.address.lower(), b.address.lower(), str(ETHER // 2)),
        (b.address.lower(), c.address.lower(), str(ETHER // 5))]
    assert alerts[2].evidence["exposure"]["hops"] == 3  # type: ignore[index]
    follower.close()
    rpc_source.close()
    consumer.close()
    store.close()
    bus.close()
