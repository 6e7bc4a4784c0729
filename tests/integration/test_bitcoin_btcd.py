"""Bitcoin ingest against a real btcd (regtest): build, sign, broadcast, mine, follow, reorg.

Transactions are built and signed here with python-bitcoinlib (its signing does not depend
on ``SelectParams``) from the fixed regtest mining key of ``scripts/services``. They pay
P2PKH, P2SH-P2WPKH, P2WPKH, P2WSH and P2TR outputs, then spend some of them again — in the
same block (resolved from the block) and in the next one (resolved from the UTXO cache) —
so every transfer can be checked to the satoshi. The shared follower delivers them to an
embedded bus; the UTXO cache runs on SQLite and on the real Redis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from bitcoin.core import (
    CBlock,
    CMutableTransaction,
    CMutableTxIn,
    CMutableTxOut,
    COutPoint,
    CTransaction,
    CTxInWitness,
    CTxWitness,
    lx,
)
from bitcoin.core.script import (
    OP_CHECKSIG,
    SIGHASH_ALL,
    SIGVERSION_WITNESS_V0,
    CScript,
    CScriptWitness,
    SignatureHash,
)
from bitcoin.wallet import CKey

from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from ingest.bitcoin.blkfiles import xor_at
from ingest.bitcoin.mempool import MempoolWatcher
from ingest.bitcoin.node import BitcoinNode, connect
from ingest.bitcoin.scripts import describe, hash160
from ingest.bitcoin.source import BitcoinSource, blocks_dir_source, rpc_source
from ingest.bitcoin.utxo import UtxoCache
from ingest.follower import Follower
from ingest.rpc import RpcClient
from tests.btcd_wallet import MINER, Spend, ensure_mature, funds, mine, p2pkh
from tests.conftest import service_url
from txmon.addresses.networks import REGTEST
from txmon.app import App
from txmon.bus.base import TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.models import Leg, Tag, TagKind, Transfer, TransferStatus
from txmon.settings import load_settings
from txmon.store.base import Store
from txmon.store.redis import RedisStore
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]

FEE = 10_000
BTC = 100_000_000
TAPROOT_KEY = bytes.fromhex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")


def key_for(label: str) -> CKey:
    return CKey(hashlib.sha256(f"txmon btcd test {label}".encode()).digest(), compressed=True)


P2PKH_KEY, P2SH_KEY, P2WPKH_KEY, P2WSH_KEY = (key_for(n) for n in ("p2pkh", "p2sh", "wpkh", "wsh"))


def p2wpkh(key: CKey) -> CScript:
    return CScript(b"\x00\x14" + hash160(key.pub))


def p2sh_p2wpkh(key: CKey) -> CScript:
    return CScript(b"\xa9\x14" + hash160(p2wpkh(key)) + b"\x87")


def wsh_script(key: CKey) -> CScript:
    return CScript([key.pub, OP_CHECKSIG])


def p2wsh(key: CKey) -> CScript:
    return CScript(b"\x00\x20" + hashlib.sha256(wsh_script(key)).digest())


P2TR = CScript(b"\x51\x20" + TAPROOT_KEY)


def addr(script: CScript) -> str:
    return describe(bytes(script), REGTEST).address


def sign(spends: list[Spend], outputs: list[tuple[CScript, int]]) -> CTransaction:
    """A signed transaction spending ``spends`` (SIGHASH_ALL; BIP-143 for segwit inputs)."""
    tx = CMutableTransaction(
        [CMutableTxIn(COutPoint(lx(s.txid), s.n)) for s in spends],
        [CMutableTxOut(amount, script) for script, amount in outputs],
    )
    witnesses = []
    for i, spend in enumerate(spends):
        if spend.kind == "p2pkh":
            digest = SignatureHash(p2pkh(spend.key), tx, i, SIGHASH_ALL)
            sig = spend.key.sign(digest) + bytes([SIGHASH_ALL])
            tx.vin[i].scriptSig = CScript([sig, spend.key.pub])
            witnesses.append(CTxInWitness())
            continue
        code = wsh_script(spend.key) if spend.kind == "p2wsh" else p2pkh(spend.key)
        digest = SignatureHash(code, tx, i, SIGHASH_ALL, spend.amount, SIGVERSION_WITNESS_V0)
        sig = spend.key.sign(digest) + bytes([SIGHASH_ALL])
        stack = [sig, bytes(code)] if spend.kind == "p2wsh" else [sig, spend.key.pub]
        witnesses.append(CTxInWitness(CScriptWitness(stack)))
        if spend.kind == "p2sh-p2wpkh":
            tx.vin[i].scriptSig = CScript([bytes(p2wpkh(spend.key))])
    tx.wit = CTxWitness(witnesses)
    return CTransaction.from_tx(tx)


@pytest.fixture
def rpc() -> Iterator[RpcClient]:
    url = service_url("btcd", "http://127.0.0.1:18334")
    user = os.environ.get("TXMON_BTCD_RPC_USER", "txmon")
    password = os.environ.get("TXMON_BTCD_RPC_PASS", "txmon")
    client = connect(url.replace("://", f"://{user}:{password}@", 1))  # credentials in the URL
    yield client
    client.close()


@pytest.fixture(params=["sqlite", "redis"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str, namespace: str,
    redis_cleanup: None,
) -> Iterator[Store]:  # fmt: skip
    backend: Store = (
        SqliteStore(tmp_path / "s.db")
        if request.param == "sqlite"
        else RedisStore(redis_url, namespace=namespace)
    )
    yield backend
    backend.close()


def broadcast(rpc: RpcClient, tx: CTransaction) -> str:
    txid = str(rpc.call("sendrawtransaction", [tx.serialize().hex()]))
    assert txid == tx.GetTxid()[::-1].hex()
    return txid


def published(bus: EmbeddedBus, group: str) -> list[Transfer]:
    consumer = bus.consumer([TRANSFERS], group)
    out: list[Transfer] = []
    while batch := consumer.poll(timeout=0.5):
        out += [decode_transfer(m.value) for m in batch]
    consumer.close()
    return out


def assert_btcd_agrees(rpc: RpcClient, blocks: list[str], by_id: dict[str, Transfer]) -> None:
    """btcd's own decoding of each output (getblock verbosity 2) matches our legs."""
    for block_hash in blocks:
        for tx in rpc.call("getblock", [block_hash, 2])["rawtx"]:
            ours = by_id[tx["txid"]].outputs
            assert len(ours) == len(tx["vout"])
            for leg, out in zip(ours, tx["vout"], strict=True):
                assert leg.amount == int(Decimal(str(out["value"])) * BTC)
                if out["scriptPubKey"]["type"] == "nulldata":  # the witness commitment
                    assert leg.script_type == "nulldata"
                else:
                    assert [leg.address] == out["scriptPubKey"]["addresses"]


def catch_up(follower: Follower, start: int) -> None:
    while follower.step(start=start, confirmations=0):
        pass


def test_follow_btcd_every_script_type_exactly_once_then_reorg(
    rpc: RpcClient, store: Store, tmp_path: Path
) -> None:
    node = BitcoinNode(rpc)
    funding = funds(rpc, 15 * BTC + FEE)  # the mining key's oldest unspent output(s)
    funded = sum(s.amount for s in funding)
    start = node.head() + 1
    source: BitcoinSource = rpc_source(rpc, REGTEST, store)
    bus = EmbeddedBus(tmp_path / "bus")
    follower = Follower(source, store, bus.producer(), name="it", batch_blocks=2, workers=2)

    # Block 1: tx1 pays every script type; tx2 spends two of its outputs in the same block.
    change = funded - 15 * BTC - FEE
    tx1 = sign(funding, [
        (p2pkh(P2PKH_KEY), 1 * BTC), (p2sh_p2wpkh(P2SH_KEY), 2 * BTC),
        (p2wpkh(P2WPKH_KEY), 3 * BTC), (p2wsh(P2WSH_KEY), 4 * BTC), (P2TR, 5 * BTC),
        (p2pkh(MINER), change),
    ])  # fmt: skip
    txid1 = broadcast(rpc, tx1)
    tx2 = sign(
        [Spend(txid1, 2, 3 * BTC, "p2wpkh", P2WPKH_KEY),
         Spend(txid1, 1, 2 * BTC, "p2sh-p2wpkh", P2SH_KEY)],
        [(p2pkh(P2PKH_KEY), 5 * BTC - FEE)],
    )  # fmt: skip
    txid2 = broadcast(rpc, tx2)
    (block1,) = mine(rpc, 1)
    # Block 2: tx3 spends the P2WSH and P2PKH outputs of block 1 (UTXO cache hits).
    tx3 = sign(
        [
            Spend(txid1, 3, 4 * BTC, "p2wsh", P2WSH_KEY),
            Spend(txid1, 0, 1 * BTC, "p2pkh", P2PKH_KEY),
        ],
        [(p2wpkh(P2WPKH_KEY), 5 * BTC - 2 * FEE)],
    )
    txid3 = broadcast(rpc, tx3)
    (block2,) = mine(rpc, 1)
    catch_up(follower, start)

    transfers = published(bus, "before-reorg")
    by_id = {t.tx_hash: t for t in transfers}
    assert len(transfers) == len(by_id) == 5  # 2 coinbases + 3 transactions, each once
    miner = addr(p2pkh(MINER))
    assert by_id[txid1].inputs == tuple(Leg(miner, s.amount, "p2pkh") for s in funding)
    assert by_id[txid1].outputs == (
        Leg(addr(p2pkh(P2PKH_KEY)), 1 * BTC, "p2pkh"),
        Leg(addr(p2sh_p2wpkh(P2SH_KEY)), 2 * BTC, "p2sh"),
        Leg(addr(p2wpkh(P2WPKH_KEY)), 3 * BTC, "p2wpkh"),
        Leg(addr(p2wsh(P2WSH_KEY)), 4 * BTC, "p2wsh"),
        Leg("bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6", 5 * BTC, "p2tr"),
        Leg(miner, change, "p2pkh"),
    )
    assert by_id[txid1].fee == FEE
    assert by_id[txid2].inputs == (  # resolved from the same block
        Leg(addr(p2wpkh(P2WPKH_KEY)), 3 * BTC, "p2wpkh"),
        Leg(addr(p2sh_p2wpkh(P2SH_KEY)), 2 * BTC, "p2sh"),
    )
    assert by_id[txid2].fee == FEE
    assert by_id[txid3].inputs == (  # resolved from the UTXO cache
        Leg(addr(p2wsh(P2WSH_KEY)), 4 * BTC, "p2wsh"),
        Leg(addr(p2pkh(P2PKH_KEY)), 1 * BTC, "p2pkh"),
    )
    assert by_id[txid3].fee == 2 * FEE
    assert source.decoder.utxo.misses == len(funding)  # only tx1's old inputs: from the node
    assert {by_id[txid1].block_hash, by_id[txid3].block_hash} == {block1, block2}
    cb1 = next(t for t in transfers if t.block_hash == block1 and t.inputs[0].address == "coinbase")
    assert cb1.inputs[0].amount == cb1.amount == sum(leg.amount for leg in cb1.outputs)
    assert cb1.amount == (50 * BTC >> (cb1.block_number // 150)) + 2 * FEE  # subsidy + fees
    assert_btcd_agrees(rpc, [block1, block2], by_id)

    # Reorg: drop block 2, mine a longer competing branch; tx3 returns from the mempool.
    rpc.call("invalidateblock", [block2])
    mine(rpc, 2)
    catch_up(follower, start)
    after = published(bus, "after-reorg")[len(transfers) :]
    retracted = [t for t in after if t.status is TransferStatus.RETRACTED]
    assert {t.block_hash for t in retracted} == {block2}
    assert {t.tx_hash for t in retracted} == {by_id[txid3].tx_hash} | {
        t.tx_hash for t in transfers if t.block_hash == block2
    }
    confirmed = [t for t in after if t.status is TransferStatus.CONFIRMED]
    assert len({t.block_number for t in confirmed}) == 2  # the two new blocks
    assert block2 not in {t.block_hash for t in confirmed}
    again = [t for t in confirmed if t.tx_hash == txid3]
    assert len(again) == 1 and again[0].inputs == by_id[txid3].inputs  # re-emitted once
    assert again[0].block_hash != block2
    follower.close()
    bus.close()


def test_block_files_replay_from_genesis_needs_no_node(rpc: RpcClient, tmp_path: Path) -> None:
    """btcd's chain written as obfuscated blk*.dat files replays to the RPC path's transfers.

    From genesis every prevout was created by an earlier replayed block, so the UTXO cache
    answers all of them: the replay runs with no node at all.
    """
    node = BitcoinNode(rpc)
    ensure_mature(rpc)  # at least 101 blocks
    head = node.head()
    raws = node.raw_blocks(list(range(head + 1)))
    key = hashlib.sha256(b"txmon xor").digest()[:8]
    blocks_dir = tmp_path / "blocks"
    blocks_dir.mkdir()
    (blocks_dir / "xor.dat").write_bytes(key)
    half = len(raws) // 2
    for number, part in ((0, raws[half:]), (1, raws[:half])):  # children before parents
        body = b"".join(REGTEST.magic + len(r).to_bytes(4, "little") + r for r in part)
        (blocks_dir / f"blk{number:05d}.dat").write_bytes(xor_at(body, key, 0))

    files = blocks_dir_source(blocks_dir, REGTEST, SqliteStore(tmp_path / "files.db"))
    assert files.head() == head
    replayed = [t for b in files.fetch_blocks(list(range(head + 1))) for t in b.transfers]
    assert files.decoder.utxo.misses == 0

    live = rpc_source(rpc, REGTEST, SqliteStore(tmp_path / "rpc.db"))
    followed = [t for b in live.fetch_blocks(list(range(head + 1))) for t in b.transfers]
    assert replayed == followed
    assert len(replayed) >= head + 1


def test_mempool_transactions_are_published_once_as_pending_then_confirmed(
    rpc: RpcClient, tmp_path: Path
) -> None:
    node = BitcoinNode(rpc)
    funding = funds(rpc, 7 * BTC + FEE)
    rest = sum(s.amount for s in funding) - 7 * BTC - FEE
    store = SqliteStore(tmp_path / "s.db")
    bus = EmbeddedBus(tmp_path / "bus")
    watcher = MempoolWatcher(node, UtxoCache(store, REGTEST, fetcher=node), bus.producer())
    watcher.poll()  # whatever is in btcd's mempool already
    tx = sign(funding, [(P2TR, 7 * BTC), (p2wpkh(P2WPKH_KEY), rest)])
    txid = broadcast(rpc, tx)

    (pending,) = watcher.poll()
    assert watcher.poll() == []  # published once
    assert (pending.tx_hash, pending.status) == (txid, TransferStatus.PENDING)
    assert (pending.block_number, pending.block_hash, pending.block_time) == (None, None, None)
    assert pending.inputs == tuple(Leg(addr(p2pkh(MINER)), s.amount, "p2pkh") for s in funding)
    assert pending.outputs == (
        Leg(addr(P2TR), 7 * BTC, "p2tr"),
        Leg(addr(p2wpkh(P2WPKH_KEY)), rest, "p2wpkh"),
    )
    assert pending.fee == FEE

    start = node.head() + 1
    (block,) = mine(rpc, 1)
    follower = Follower(rpc_source(rpc, REGTEST, store), store, bus.producer(), name="mempool")
    catch_up(follower, start)
    follower.close()
    seen = [t for t in published(bus, "mempool") if t.tx_hash == txid]
    assert [t.status for t in seen] == [TransferStatus.PENDING, TransferStatus.CONFIRMED]
    assert seen[1].id == pending.id and seen[1].block_hash == block
    assert (seen[1].inputs, seen[1].outputs) == (pending.inputs, pending.outputs)
    bus.close()
    store.close()


def _list_in(data_dir: Path, address: str) -> None:
    """A one-address sanctions list in ``data_dir``, stored as ``txmon tags load`` does."""
    app = App(load_settings(data_dir=data_dir))
    try:
        app.tag_index  # noqa: B018 - seed first, as a deployment would have
        tag = Tag(address=address, chain="bitcoin", source="btcd-replay-test",
                  kind=TagKind.SANCTION, entity="regtest counterparty", category="sanctioned")
        TagStore(app.store).load(LoadedList("btcd-replay-test", [tag],
                                            published=dt.date(2020, 1, 1)), "test")
    finally:
        app.close()


def _replay(data_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TXMON_DATA_DIR": str(data_dir)}
    env.pop("TXMON_AS_OF", None)
    return subprocess.run(
        [sys.executable, "-m", "txmon", "--data-dir", str(data_dir), "replay", "bitcoin",
         "--network", "regtest", *args, "--json"],
        cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)  # fmt: skip


def test_replay_from_mid_chain_goes_on_without_earlier_prevouts(
    rpc: RpcClient, tmp_path: Path
) -> None:
    """The case starts at height H: blocks H..tip as block files (``--start-height H``), no
    node, so the outputs that fund the payment (created before H) are not in the cache.
    The run completes, counts the unresolved inputs, and still alerts on the payment to
    the listed address. Over RPC (btcd has ``--txindex``, no verbosity 3) the same range
    resolves every input from the node."""
    node = BitcoinNode(rpc)
    funding = funds(rpc, 3 * BTC + FEE)
    start = node.head() + 1
    mine(rpc, 1)  # H: a block before the payment, so the files start mid-chain
    listed_key = key_for("listed replay")
    listed = addr(p2wpkh(listed_key))
    rest = sum(s.amount for s in funding) - 3 * BTC - FEE
    txid = broadcast(rpc, sign(funding, [(p2wpkh(listed_key), 3 * BTC), (p2pkh(MINER), rest)]))
    mine(rpc, 1)
    end = node.head()
    raws = node.raw_blocks(list(range(start, end + 1)))
    blocks_dir = tmp_path / "blocks"
    blocks_dir.mkdir()
    (blocks_dir / "blk00000.dat").write_bytes(
        b"".join(REGTEST.magic + len(r).to_bytes(4, "little") + r for r in raws))
    # what python-bitcoinlib says the range spends from before it
    txs = [tx for raw in raws for tx in CBlock.deserialize(raw).vtx]
    inside = {tx.GetTxid()[::-1].hex() for tx in txs}
    outside = [i for tx in txs if not tx.is_coinbase() for i in tx.vin
               if i.prevout.hash[::-1].hex() not in inside]  # fmt: skip
    assert len(outside) >= len(funding)
    data_dir = tmp_path / "data"
    _list_in(data_dir, listed)

    files = _replay(data_dir, "--blocks-dir", str(blocks_dir), "--start-height", str(start),
                    "--from", str(start), "--to", str(end))
    stderr = files.stderr.decode()
    assert files.returncode == 0, stderr
    alerts = [orjson.loads(line) for line in files.stdout.splitlines() if line.startswith(b"{")]
    assert [(a["tx_hash"], a["rule"]) for a in alerts if listed in a["addresses"]] == [
        (txid, "sanctions-direct")]
    assert f"{len(outside)} inputs unresolved in " in stderr

    over_rpc = rpc_source(rpc, REGTEST, SqliteStore(tmp_path / "rpc.db"))  # an empty cache
    blocks = over_rpc.fetch_blocks(list(range(start, end + 1)))
    assert isinstance(over_rpc.reader, BitcoinNode) and over_rpc.reader.prevouts is False
    assert all(b.rejects == () for b in blocks)
    assert over_rpc.decoder.utxo.misses == len(outside)  # each from btcd's txindex
    paid = next(t for b in blocks for t in b.transfers if t.tx_hash == txid)
    assert paid.inputs == tuple(Leg(addr(p2pkh(MINER)), s.amount, "p2pkh") for s in funding)
