"""Haircut exposure over real Bitcoin transactions mined on btcd regtest.

Signing helpers come from test_bitcoin_btcd.py, the mining key's coins from tests/btcd_wallet.py.

A key derived in the test plays the listed source (no one here holds a real listed key);
its address is tagged as a sanction in the test's lookup. tx1 funds the source and a clean
key from the mining key's coins; tx2 spends both (10 BTC tainted + 10 BTC clean) to A and B;
tx3 moves A's coins on to D. Amounts are checked to the satoshi.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from enrich.enricher import Enricher
from ingest.bitcoin.node import BitcoinNode
from ingest.bitcoin.source import rpc_source
from ingest.follower import Follower
from ingest.rpc import RpcClient
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from tests.btcd_wallet import MINER, Spend, funds, mine, p2pkh
from tests.integration.test_bitcoin_btcd import (
    BTC,
    FEE,
    addr,
    broadcast,
    catch_up,
    key_for,
    p2wpkh,
    published,
    rpc,  # noqa: F401 - the fixture
    sign,
)
from tests.unit.rules.factory import DictLookup
from txmon.addresses.networks import REGTEST
from txmon.bus.embedded import EmbeddedBus
from txmon.models import Tag, TagKind
from txmon.store.sqlite import SqliteStore

pytestmark = pytest.mark.integration
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_haircut_over_multi_input_bitcoin_transactions(rpc: RpcClient,  # noqa: F811
                                                       tmp_path: Path) -> None:
    node = BitcoinNode(rpc)
    funding = funds(rpc, 20 * BTC + FEE)
    start = node.head() + 1
    src, clean, a, b, d = (key_for(f"exposure {n}") for n in ("src", "clean", "a", "b", "d"))
    change = sum(s.amount for s in funding) - 20 * BTC - FEE
    tx1 = sign(funding, [(p2wpkh(src), 10 * BTC), (p2wpkh(clean), 10 * BTC),
                         (p2pkh(MINER), change)])
    txid1 = broadcast(rpc, tx1)
    mine(rpc, 1)
    tx2 = sign([Spend(txid1, 0, 10 * BTC, "p2wpkh", src),
                Spend(txid1, 1, 10 * BTC, "p2wpkh", clean)],
               [(p2wpkh(a), 8 * BTC), (p2wpkh(b), 12 * BTC - FEE)])
    txid2 = broadcast(rpc, tx2)
    mine(rpc, 1)
    tx3 = sign([Spend(txid2, 0, 8 * BTC, "p2wpkh", a)], [(p2wpkh(d), 8 * BTC - FEE)])
    txid3 = broadcast(rpc, tx3)
    mine(rpc, 1)

    store = SqliteStore(tmp_path / "s.db")
    bus = EmbeddedBus(tmp_path / "bus")
    follower = Follower(rpc_source(rpc, REGTEST, store), store, bus.producer(), name="exp",
                        batch_blocks=2, workers=1)
    catch_up(follower, start)
    ours = {txid1, txid2, txid3}
    transfers = [t for t in published(bus, "exposure") if t.tx_hash in ours]
    assert [t.tx_hash for t in transfers] == [txid1, txid2, txid3]

    source_addr = addr(p2wpkh(src))
    tag = Tag(address=source_addr, chain="bitcoin", source="test", kind=TagKind.SANCTION,
              entity="regtest source", category="sanctioned")
    engine = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store)
    enricher = Enricher(DictLookup([tag]))
    alerts = [x for t in transfers for x in engine.evaluate(enricher.enrich(t))]
    assert [(x.rule, x.tx_hash) for x in alerts] == [  # tx1 pays the source: direct too
        ("sanctions-direct", txid1), ("sanctions-direct", txid2), ("sanctions-indirect", txid3)]
    assert "exposure" not in alerts[0].evidence  # paying a source carries no taint onward
    direct = alerts[1].evidence["exposure"]  # type: ignore[index]
    assert (direct["share_ppm"], direct["hops"]) == (500_000, 1)
    assert direct["tainted"] == str(4 * BTC + (12 * BTC - FEE) // 2)
    indirect = alerts[2].evidence["exposure"]  # type: ignore[index]
    assert (indirect["share_ppm"], indirect["max_share_ppm"], indirect["hops"]) == (
        500_000, 500_000, 2)
    assert indirect["tainted"] == str((8 * BTC - FEE) // 2)
    assert [(h["from"], h["to"], h["tainted"]) for h in indirect["path"]] == [
        (source_addr, addr(p2wpkh(a)), str(4 * BTC)),
        (addr(p2wpkh(a)), addr(p2wpkh(d)), str((8 * BTC - FEE) // 2))]
    follower.close()
    store.close()
    bus.close()
