"""Raw mainnet blocks parse exactly: txids, block hash and merkle root agree with the header."""

from __future__ import annotations

import pytest
from bitcoin.core import CBlock

from ingest.bitcoin.parse import BlockIntegrityError, parse_block, parse_transaction, sha256d

from .conftest import ETL_BLOCKS, RAW_BLOCKS, raw_block, raw_from_verbose, verbose_block


@pytest.mark.parametrize("name", sorted(RAW_BLOCKS))
def test_raw_block_hash_txids_and_merkle_root(name: str) -> None:
    raw = raw_block(name)
    _, expected_hash, tx_count = RAW_BLOCKS[name]
    block = parse_block(raw)
    assert block.hash == expected_hash
    assert len(block.txs) == tx_count
    # python-bitcoinlib's own path: re-serialise each transaction without witness, hash it
    reference = CBlock.deserialize(raw)
    assert [ptx.txid for ptx in block.txs] == [tx.GetTxid()[::-1].hex() for tx in reference.vtx]
    assert block.merkle_root == reference.calc_merkle_root()[::-1].hex()
    assert block.parent_hash == reference.hashPrevBlock[::-1].hex()


def test_segwit_txids_exclude_the_witness() -> None:
    raw = raw_block("block482683.raw")
    block = parse_block(raw)
    reference = CBlock.deserialize(raw)
    segwit = [i for i, ptx in enumerate(block.txs) if ptx.segwit]
    assert segwit == [i for i, tx in enumerate(reference.vtx) if tx.has_witness()]
    assert len(segwit) == 2
    for i in segwit:
        wtxid = sha256d(reference.vtx[i].serialize())[::-1].hex()
        assert block.txs[i].txid != wtxid
        assert block.txs[i].txid == reference.vtx[i].GetTxid()[::-1].hex()


def test_inputs_and_outputs_equal_python_bitcoinlib_s() -> None:
    for name in RAW_BLOCKS:
        raw = raw_block(name)
        for ptx, tx in zip(parse_block(raw).txs, CBlock.deserialize(raw).vtx, strict=True):
            assert (ptx.vin, ptx.vout) == (tx.vin, tx.vout)


def test_a_single_transaction_parses_like_in_a_block() -> None:
    raw = raw_block("block482683.raw")
    reference = CBlock.deserialize(raw)
    for tx, ptx in zip(reference.vtx, parse_block(raw).txs, strict=True):
        assert parse_transaction(tx.serialize()) == ptx
    with pytest.raises(BlockIntegrityError, match="trailing"):
        parse_transaction(reference.vtx[1].serialize() + b"\0")


@pytest.mark.parametrize("height", sorted(ETL_BLOCKS))
def test_blocks_rebuilt_from_bitcoind_json_match_bitcoind(height: int) -> None:
    verbose = verbose_block(height)
    block = parse_block(raw_from_verbose(verbose))
    assert block.hash == verbose["hash"]
    assert block.merkle_root == verbose["merkleroot"]
    assert [ptx.txid for ptx in block.txs] == [tx["txid"] for tx in verbose["tx"]]
    assert int(block.time.timestamp()) == verbose["time"]


def test_a_changed_transaction_no_longer_matches_the_merkle_root() -> None:
    raw = bytearray(raw_block("block482683.raw"))
    raw[-5] ^= 0x01  # inside the last transaction's last output script / locktime
    with pytest.raises(BlockIntegrityError, match="merkle root"):
        parse_block(bytes(raw))


def test_truncated_and_padded_blocks_are_rejected() -> None:
    raw = raw_block("block_13b8a.hex")
    with pytest.raises(BlockIntegrityError, match="does not parse"):
        parse_block(raw[:-10])
    with pytest.raises(BlockIntegrityError, match="trailing"):
        parse_block(raw + b"\0")
