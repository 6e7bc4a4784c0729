"""Replay from where the case starts: prevouts the node cannot serve never abort a run.

Recorded mainnet blocks are served by a real JSON-RPC HTTP server on loopback
(:mod:`.loopback_node`) that refuses ``getrawtransaction`` like a node without
``-txindex``. Block 702,861 (2021-09-30, 2,500 transactions) is replayed with an empty
UTXO cache: every output is screened, every input spending an earlier block is marked
unresolved, each such transaction is dead-lettered once with the reason, and the run
(the follower, and ``txmon replay bitcoin`` as a process) completes.

The expected counts come from python-bitcoinlib's own ``CBlock`` parse of the block, not
from the code under test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from bitcoin.core import CBlock, b2lx

from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from ingest.bitcoin.mempool import MempoolWatcher
from ingest.bitcoin.node import BitcoinNode, connect
from ingest.bitcoin.source import rpc_source
from ingest.bitcoin.utxo import UtxoCache
from ingest.follower import Follower
from txmon.addresses.networks import MAINNET
from txmon.app import App
from txmon.bus.base import DEADLETTER, TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.models import Leg, Tag, TagKind, Transfer, TransferStatus
from txmon.settings import load_settings
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

from .conftest import RecordedTransactions, raw_block, raw_from_verbose, verbose_block
from .loopback_node import RecordedChain, serve

ROOT = Path(__file__).resolve().parents[4]
HEIGHT = 702861
RAW = raw_block("block702861.raw")
REASON = re.compile(r"prevout [0-9a-f]{64}:\d+ unknown to the node \(no -txindex\?\)"
                    r"( \(and \d+ more of its \d+ inputs\))?")


def _expected(raw: bytes) -> tuple[int, set[str], CBlock]:
    """Inputs spending earlier blocks, and the transactions with any (python-bitcoinlib)."""
    block = CBlock.deserialize(raw)
    txids = {b2lx(tx.GetTxid()) for tx in block.vtx}
    external = 0
    txs: set[str] = set()
    for tx in block.vtx[1:]:
        outside = sum(b2lx(i.prevout.hash) not in txids for i in tx.vin)
        external += outside
        if outside:
            txs.add(b2lx(tx.GetTxid()))
    return external, txs, block


EXTERNAL, TXS_WITH_EXTERNAL, CBLOCK = _expected(RAW)


def test_the_expected_counts_are_what_the_block_holds() -> None:
    # pinned, so a change in the independent count above cannot go unnoticed
    assert (EXTERNAL, len(TXS_WITH_EXTERNAL), len(CBLOCK.vtx)) == (6190, 2245, 2500)


@pytest.fixture
def no_txindex() -> Iterator[tuple[RecordedChain, str]]:
    chain = RecordedChain(blocks={HEIGHT: RAW}, verbosity3="refuse")
    with serve(chain) as url:
        yield chain, url


def _published(bus: EmbeddedBus, topic: str) -> list[Any]:
    consumer = bus.consumer([topic], "test")
    out = []
    while batch := consumer.poll(timeout=0.5):
        out.extend(batch)
    return out


def test_block_702861_over_rpc_without_prevouts_screens_outputs_and_goes_on(
    tmp_path: Path, no_txindex: tuple[RecordedChain, str]
) -> None:
    chain, url = no_txindex
    store = SqliteStore(tmp_path / "s.db")  # an empty UTXO cache: replay starts here
    bus = EmbeddedBus(tmp_path / "bus")
    source = rpc_source(connect(url), MAINNET, store)
    follower = Follower(source, store, bus.producer(), name="replay")
    metrics = follower.replay(HEIGHT, HEIGHT, resume=False)
    follower.close()
    source.close()

    transfers: list[Transfer] = [decode_transfer(m.value) for m in _published(bus, TRANSFERS)]
    assert [t.tx_hash for t in transfers] == [b2lx(tx.GetTxid()) for tx in CBLOCK.vtx]
    for transfer, tx in zip(transfers, CBLOCK.vtx, strict=True):
        legs = [leg for leg in transfer.outputs if leg.script_type != "multisig_key"]
        assert [leg.amount for leg in legs] == [out.nValue for out in tx.vout]
    unresolved = [leg for t in transfers for leg in t.inputs if leg.script_type == "unresolved"]
    assert len(unresolved) == EXTERNAL == source.decoder.unresolved_inputs
    assert all(leg.amount == 0 and leg.address.startswith("prevout:") for leg in unresolved)
    flagged = {t.tx_hash for t in transfers if "unresolved_inputs" in t.extra}
    assert flagged == TXS_WITH_EXTERNAL
    assert all(t.fee is None for t in transfers if t.tx_hash in flagged)

    dead = _published(bus, DEADLETTER)
    headers = [dict(m.headers) for m in dead]
    assert [h["source.tx"].decode() for h in headers] == [
        t.tx_hash for t in transfers if t.tx_hash in flagged]  # one per transaction, in order
    assert all(REASON.fullmatch(h["reason"].decode()) for h in headers)
    assert {h["source.block"] for h in headers} == {str(HEIGHT).encode()}
    listed = sum(len(orjson.loads(m.value)["unresolved"]) for m in dead)
    assert listed == EXTERNAL
    assert (metrics.transfers, metrics.dead_letters) == (2500, len(TXS_WITH_EXTERNAL))
    assert chain.calls.count("getrawtransaction") > 0  # the node was asked, and refused
    assert chain.calls.count("getblock/3") == 1  # probed once, then raw blocks
    bus.close()
    store.close()


def test_support_for_verbosity_3_is_detected_once(no_txindex: tuple[RecordedChain, str]) -> None:
    chain, url = no_txindex
    node = BitcoinNode(connect(url))
    first = node.fetch([HEIGHT])
    second = node.fetch([HEIGHT])
    assert first == second == [(RAW, None)]
    assert node.prevouts is False
    assert chain.calls == ["getblockhash", "getblock/3", "getblock/0",
                           "getblockhash", "getblock/0"]  # fmt: skip


def test_a_coinbase_only_block_leaves_the_question_open_and_a_setting_skips_it() -> None:
    verbose = verbose_block(50000)  # bitcoind's recorded answer: one coinbase, nothing spent
    chain = RecordedChain(blocks={50000: raw_from_verbose(verbose)}, verbose={50000: verbose},
                          verbosity3="as-2")  # fmt: skip
    with serve(chain) as url:
        node = BitcoinNode(connect(url))
        assert node.fetch([50000]) == [(chain.blocks[50000], {})]
        assert node.prevouts is None  # still to be found out, by a block that spends
        told = BitcoinNode(connect(url), prevouts=False)
        assert told.fetch([50000]) == [(chain.blocks[50000], None)]
    assert chain.calls == ["getblockhash", "getblock/3", "getblockhash", "getblock/0"]


def _block_50001_chain(verbosity3: str) -> RecordedChain:
    recorded = RecordedTransactions()
    verbose = verbose_block(50001)
    with_prevouts = {**verbose, "tx": [
        {**tx, "vin": [vin if "coinbase" in vin else {**vin, "prevout": {
            "value": recorded.verbose[vin["txid"]]["vout"][vin["vout"]]["value"],
            "scriptPubKey": recorded.verbose[vin["txid"]]["vout"][vin["vout"]]["scriptPubKey"]}}
            for vin in tx["vin"]]}
        for tx in verbose["tx"]]}  # fmt: skip
    return RecordedChain(
        blocks={50001: raw_from_verbose(verbose)}, verbose={50001: verbose},
        with_prevouts={50001: with_prevouts}, transactions=dict(recorded.known),
        verbosity3=verbosity3)  # fmt: skip


def _fetch_50001(chain: RecordedChain, tmp_path: Path) -> tuple[Any, BitcoinNode]:
    store = SqliteStore(tmp_path / f"{chain.verbosity3}.db")
    with serve(chain) as url:
        source = rpc_source(connect(url), MAINNET, store)
        [block] = source.fetch_blocks([50001])
        source.close()
    store.close()
    assert isinstance(source.reader, BitcoinNode)
    return block, source.reader


def test_prevouts_inline_with_verbosity_3_need_no_getrawtransaction(tmp_path: Path) -> None:
    """bitcoind's recorded block 50,001, its prevouts added as verbosity 3 carries them."""
    old_node = _block_50001_chain("as-2")  # bitcoind <= 22: verbosity 3 read as 2
    by_txindex, old = _fetch_50001(old_node, tmp_path)
    assert old.prevouts is False
    assert old_node.calls.count("getrawtransaction") == 3

    new_node = _block_50001_chain("prevouts")
    inline, new = _fetch_50001(new_node, tmp_path)
    assert new.prevouts is True
    assert new_node.calls == ["getblockhash", "getblock/3"]  # nothing else
    assert inline.transfers == by_txindex.transfers
    assert inline.rejects == by_txindex.rejects == ()
    assert inline.transfers[1].fee == 0  # amounts exact: 2 inputs of 50 BTC → 100 BTC


def _list(data_dir: Path, address: str) -> None:
    """A one-address sanctions list in the data dir, loaded as ``txmon tags load`` stores it."""
    app = App(load_settings(data_dir=data_dir))
    try:
        app.tag_index  # noqa: B018 - seed first, as a deployment would have
        tag = Tag(address=address, chain="bitcoin", source="replay-test",
                  kind=TagKind.SANCTION, entity="test counterparty", category="sanctioned")
        TagStore(app.store).load(LoadedList("replay-test", [tag],
                                            published=dt.date(2021, 1, 1)), "test")
    finally:
        app.close()


def test_txmon_replay_bitcoin_without_txindex_exits_0_with_alerts_on_outputs(
    tmp_path: Path, no_txindex: tuple[RecordedChain, str]
) -> None:
    _, url = no_txindex
    payer = next(tx for tx in CBLOCK.vtx[1:] if b2lx(tx.GetTxid()) in TXS_WITH_EXTERNAL)
    replayed = rpc_source(connect(url), MAINNET, SqliteStore(tmp_path / "probe.db"))
    [block] = replayed.fetch_blocks([HEIGHT])
    replayed.close()
    paid = next(t for t in block.transfers if t.tx_hash == b2lx(payer.GetTxid()))
    listed = paid.outputs[0].address
    data_dir = tmp_path / "data"
    _list(data_dir, listed)

    env = {**os.environ, "TXMON_DATA_DIR": str(data_dir)}
    env.pop("TXMON_AS_OF", None)
    done = subprocess.run(
        [sys.executable, "-m", "txmon", "--data-dir", str(data_dir), "replay", "bitcoin",
         "--rpc", url, "--from", str(HEIGHT), "--to", str(HEIGHT), "--json"],
        cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    alerts = [orjson.loads(line) for line in done.stdout.splitlines() if line.startswith(b"{")]
    assert paid.tx_hash in {a["tx_hash"] for a in alerts}
    assert all(listed in a["addresses"] for a in alerts if a["tx_hash"] == paid.tx_hash)
    assert f"{len(TXS_WITH_EXTERNAL)} dead letters" in stderr
    assert (f"{EXTERNAL} inputs unresolved in {len(TXS_WITH_EXTERNAL)} transactions"
            in stderr)


def test_a_pending_transaction_with_unknown_parents_is_published_unresolved(
    tmp_path: Path,
) -> None:
    """The mempool watcher: block 50,001's last transaction as if unconfirmed, its parent
    unknown to the node; published once as pending with the input marked unresolved."""
    tx = verbose_block(50001)["tx"][2]
    chain = RecordedChain(blocks={50001: raw_from_verbose(verbose_block(50001))},
                          transactions={tx["txid"]: bytes.fromhex(tx["hex"])},
                          mempool=[tx["txid"]])  # fmt: skip
    store = SqliteStore(tmp_path / "s.db")
    bus = EmbeddedBus(tmp_path / "bus")
    with serve(chain) as url:
        node = BitcoinNode(connect(url))
        watcher = MempoolWatcher(node, UtxoCache(store, MAINNET, fetcher=node), bus.producer())
        [pending] = watcher.poll()
    parent = tx["vin"][0]
    assert pending.tx_hash == tx["txid"] and pending.status is TransferStatus.PENDING
    assert pending.inputs == (Leg(f"prevout:{parent['txid']}:{parent['vout']}", 0,
                                  "unresolved"),)  # fmt: skip
    assert (pending.fee, pending.extra) == (None, {"unresolved_inputs": "1"})
    assert [leg.amount for leg in pending.outputs] == [50_0000_0000]
    assert _published(bus, DEADLETTER) == []
    bus.close()
    store.close()
