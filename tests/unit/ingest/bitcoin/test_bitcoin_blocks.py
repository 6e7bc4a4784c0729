"""Raw block → transfers: bitcoind's own answers for blocks 50,000–50,002, and real blocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.bitcoin.blocks import BTC, BlockDecoder
from ingest.bitcoin.parse import parse_block
from ingest.bitcoin.utxo import UtxoCache
from txmon.addresses.networks import MAINNET
from txmon.models import Leg, TransferKind, TransferStatus
from txmon.store.sqlite import SqliteStore

from .conftest import RecordedTransactions, raw_block, raw_from_verbose, verbose_block


def satoshi(btc: float) -> int:
    return int(Decimal(str(btc)) * 100_000_000)


def bitcoind_outputs(tx: dict) -> list[tuple[str, int]]:
    return [(o["scriptPubKey"]["addresses"][0], satoshi(o["value"])) for o in tx["vout"]]


@pytest.fixture
def recorded() -> RecordedTransactions:
    return RecordedTransactions()


@pytest.fixture
def decoder(store: SqliteStore, recorded: RecordedTransactions) -> BlockDecoder:
    return BlockDecoder(MAINNET, UtxoCache(store, MAINNET, fetcher=recorded))


def test_blocks_50000_to_50002_against_bitcoind(
    decoder: BlockDecoder, recorded: RecordedTransactions
) -> None:
    for height in (50000, 50001, 50002):
        verbose = verbose_block(height)
        block = decoder.decode(raw_from_verbose(verbose), height)
        assert block.ref.hash == verbose["hash"]
        assert block.ref.number == height
        assert [t.tx_hash for t in block.transfers] == [tx["txid"] for tx in verbose["tx"]]
        for transfer, tx in zip(block.transfers, verbose["tx"], strict=True):
            assert [(leg.address, leg.amount) for leg in transfer.outputs] == bitcoind_outputs(tx)
            assert transfer.block_time == dt.datetime.fromtimestamp(verbose["time"], dt.UTC)
    assert sorted(recorded.asked) == sorted(recorded.known)  # each prevout asked for once
    assert decoder.utxo.misses == 3


def test_block_50001_transfers_exactly(
    decoder: BlockDecoder, recorded: RecordedTransactions
) -> None:
    block = decoder.decode(raw_from_verbose(verbose_block(50001)), 50001)
    coinbase, two_in, one_in = block.transfers

    def spent(txid: str) -> Leg:
        out = recorded.verbose[txid]["vout"][0]
        return Leg(out["scriptPubKey"]["addresses"][0], satoshi(out["value"]), "p2pk")

    assert (
        coinbase.id == "bitcoin:e1882d41800d96d0fddc196cd8d3f0b45d65b030c652d97eaba79a1174e64d58:0"
    )
    assert coinbase.inputs == (Leg("coinbase", 50_0000_0000, "coinbase"),)
    assert coinbase.outputs == (Leg("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ", 50_0000_0000, "p2pk"),)
    assert coinbase.fee is None
    assert two_in.tx_hash == "7940cdde4d713e171849efc6bd89939185be270266c94e92369e3877ad89455a"
    assert two_in.inputs == (
        spent("76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea"),
        spent("0dd0394c6240355f4e4b3c88028f678ed746cebee3b3e8509620733f018914c9"),
    )
    assert two_in.outputs == (Leg("1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ", 100_0000_0000, "p2pkh"),)
    assert two_in.fee == 0
    assert one_in.inputs == (
        spent("0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216"),
    )
    assert one_in.fee == 0
    for transfer in block.transfers:
        assert (transfer.chain, transfer.network, transfer.asset) == ("bitcoin", "mainnet", BTC)
        assert (transfer.index, transfer.kind) == (0, TransferKind.NATIVE)
        assert transfer.status is TransferStatus.CONFIRMED
        assert transfer.block_hash == block.ref.hash


def test_outputs_become_utxo_entries_and_spends_are_journaled(
    decoder: BlockDecoder, store: SqliteStore
) -> None:
    decoder.decode(raw_from_verbose(verbose_block(50001)), 50001)
    prefix = "bitcoin:mainnet:utxo:"
    entries = {k.removeprefix(prefix): v for k, v in store.scan(prefix)}
    assert entries == {
        "e1882d41800d96d0fddc196cd8d3f0b45d65b030c652d97eaba79a1174e64d58:0":
            b"5000000000 p2pk 1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ",
        "7940cdde4d713e171849efc6bd89939185be270266c94e92369e3877ad89455a:0":
            b"10000000000 p2pkh 1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ",
        "f84761459a00c6df3176ae5d94c99e69f25100d09548e5686bd0c354bb8cc60a:0":
            b"5000000000 p2pkh 1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ",
    }  # fmt: skip
    journal = store.get("bitcoin:mainnet:spent:0000050001")
    assert journal is not None
    assert sorted(journal.decode().split()) == [
        "0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216:0",
        "0dd0394c6240355f4e4b3c88028f678ed746cebee3b3e8509620733f018914c9:0",
        "76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea:0",
    ]


def _seed_external_prevouts(name: str, cache: UtxoCache) -> set[tuple[str, int]]:
    """Give every prevout from *before* the block a cache entry (1 BTC to a marker address).

    The fixtures hold single blocks, not the history they spend; the entries stand in for
    what a replay from genesis would have cached, so the in-block spends can be checked.
    """
    block = parse_block(raw_block(name))
    created = {(ptx.txid, n) for ptx in block.txs for n in range(len(ptx.vout))}
    spends = [
        (txin.prevout.hash[::-1].hex(), txin.prevout.n) for ptx in block.txs[1:] for txin in ptx.vin
    ]
    external = {op for op in spends if op not in created}
    cache.commit(0, {op: (Leg("earlier", 100_000_000, "p2pkh"),) for op in external}, [])
    return {op for op in spends if op in created}


@pytest.mark.parametrize(("name", "in_block"), [("block_13b8a.hex", 1), ("block300025.raw", 188)])
def test_spends_of_outputs_from_the_same_block_resolve_from_the_block(
    store: SqliteStore, name: str, in_block: int
) -> None:
    cache = UtxoCache(store, MAINNET)  # no node: every prevout must come from cache or block
    spent_here = _seed_external_prevouts(name, cache)
    assert len(spent_here) == in_block
    block = BlockDecoder(MAINNET, cache).decode(raw_block(name), 1)
    outputs = {
        (t.tx_hash, n): leg for t in block.transfers for n, leg in enumerate(t.outputs)
    }  # (no multisig among the spent ones, so leg n is output n)
    parsed = parse_block(raw_block(name))
    for transfer, ptx in zip(block.transfers[1:], parsed.txs[1:], strict=True):
        for leg, txin in zip(transfer.inputs, ptx.vin, strict=True):
            outpoint = (txin.prevout.hash[::-1].hex(), txin.prevout.n)
            if outpoint in spent_here:
                assert leg == outputs[outpoint]
            else:
                assert leg == Leg("earlier", 100_000_000, "p2pkh")
        assert transfer.fee == sum(leg.amount for leg in transfer.inputs) - transfer.amount
    for outpoint in spent_here:  # spent in the block: never written to the cache
        assert store.get(f"bitcoin:mainnet:utxo:{outpoint[0]}:{outpoint[1]}") is None


def test_multisig_output_leg_and_zero_amount_key_legs(store: SqliteStore) -> None:
    cache = UtxoCache(store, MAINNET)
    _seed_external_prevouts("block300025.raw", cache)
    block = BlockDecoder(MAINNET, cache).decode(raw_block("block300025.raw"), 300025)
    transfer = next(
        t for t in block.transfers
        if t.tx_hash == "1a02e7fd2a252ed146435ef1791b806996773a14f5e8f753df8bc3467104d664"
    )  # fmt: skip
    multisig = [leg for leg in transfer.outputs if leg.script_type in ("multisig", "multisig_key")]
    assert multisig == [
        Leg("script:058cabede3087fb00e25cb3ba543c3118d3b5f089e5b2b093735167c2b7f6d3e", 5460,
            "multisig"),
        Leg("1Hx56EVNE5L21cGgegBY1ag8tRfAgXvMnu", 0, "multisig_key"),
        Leg("1ApsuCdDBXnFwVuy3EbpLxUoaoDwYBkkdC", 0, "multisig_key"),
        Leg("1FvXo7PSxHzFx79AwFF49zPaugGR7G5bb3", 0, "multisig_key"),
    ]  # fmt: skip
    parsed = next(p for p in parse_block(raw_block("block300025.raw")).txs
                  if p.txid == transfer.tx_hash)  # fmt: skip
    assert transfer.amount == sum(out.nValue for out in parsed.vout)  # nothing counted twice
    entry = store.get(f"bitcoin:mainnet:utxo:{transfer.tx_hash}:0")
    assert entry == (
        b"5460 multisig script:058cabede3087fb00e25cb3ba543c3118d3b5f089e5b2b093735167c2b7f6d3e "
        b"1Hx56EVNE5L21cGgegBY1ag8tRfAgXvMnu 1ApsuCdDBXnFwVuy3EbpLxUoaoDwYBkkdC "
        b"1FvXo7PSxHzFx79AwFF49zPaugGR7G5bb3"
    )


def test_op_return_outputs_are_legs_but_not_cached(store: SqliteStore) -> None:
    cache = UtxoCache(store, MAINNET)
    _seed_external_prevouts("block482683.raw", cache)
    block = BlockDecoder(MAINNET, cache).decode(raw_block("block482683.raw"), 482683)
    nulldata = [
        (t.tx_hash, n)
        for t in block.transfers
        for n, leg in enumerate(t.outputs)
        if leg.script_type == "nulldata"
    ]
    assert len(nulldata) == 1
    txid, n = nulldata[0]
    assert store.get(f"bitcoin:mainnet:utxo:{txid}:{n}") is None
    assert store.get(f"bitcoin:mainnet:utxo:{txid}:{n - 1 if n else n + 1}") is not None


def test_unknown_prevouts_leave_inputs_unresolved_and_one_dead_letter_per_tx(
    tmp_path: Path, decoder: BlockDecoder
) -> None:
    resolved = decoder.decode(raw_from_verbose(verbose_block(50001)), 50001)
    fresh = SqliteStore(tmp_path / "empty.db")
    blind = BlockDecoder(MAINNET, UtxoCache(fresh, MAINNET))  # empty cache, no node to ask
    block = blind.decode(raw_from_verbose(verbose_block(50001)), 50001)
    coinbase, two_in, one_in = block.transfers
    assert coinbase == resolved.transfers[0]
    for got, want in zip(block.transfers[1:], resolved.transfers[1:], strict=True):
        assert got.outputs == want.outputs  # the outputs are screened as usual
        assert got.fee is None  # unknown while an input amount is
        assert got.extra == {"unresolved_inputs": str(len(want.inputs))}
    assert two_in.inputs == (
        Leg("prevout:76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea:0", 0,
            "unresolved"),
        Leg("prevout:0dd0394c6240355f4e4b3c88028f678ed746cebee3b3e8509620733f018914c9:0", 0,
            "unresolved"),
    )
    assert [(r.tx_hash, r.item, r.block_number) for r in block.rejects] == [
        (two_in.tx_hash, "inputs", 50001), (one_in.tx_hash, "inputs", 50001)]
    assert block.rejects[0].reason == (
        "prevout 76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea:0 not in the "
        "UTXO cache and no node to ask (block files replayed from mid-chain?) "
        "(and 1 more of its 2 inputs)")
    assert (blind.unresolved_inputs, blind.unresolved_txs) == (3, 2)
    fresh.close()


def test_prevouts_sent_with_the_block_need_no_cache_and_no_node(
    tmp_path: Path, decoder: BlockDecoder, recorded: RecordedTransactions
) -> None:
    resolved = decoder.decode(raw_from_verbose(verbose_block(50001)), 50001)
    spent = {(txid, n): (satoshi(out["value"]), bytes.fromhex(out["scriptPubKey"]["hex"]))
             for txid, tx in recorded.verbose.items() for n, out in enumerate(tx["vout"])}
    fresh = SqliteStore(tmp_path / "empty.db")
    blind = BlockDecoder(MAINNET, UtxoCache(fresh, MAINNET))  # empty cache, no node
    block = blind.decode(raw_from_verbose(verbose_block(50001)), 50001, spent)
    assert block.transfers == resolved.transfers
    assert block.rejects == ()
    assert blind.utxo.misses == blind.utxo.unknown == 0
    fresh.close()


def test_genesis_block_coinbase() -> None:
    store = SqliteStore(":memory:")
    block = BlockDecoder(MAINNET, UtxoCache(store, MAINNET)).decode(
        raw_from_verbose(verbose_block(0)), 0
    )
    (coinbase,) = block.transfers
    assert coinbase.inputs == (Leg("coinbase", 50_0000_0000, "coinbase"),)
    assert coinbase.outputs == (Leg("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 50_0000_0000, "p2pk"),)
    assert block.ref.parent_hash == "00" * 32
