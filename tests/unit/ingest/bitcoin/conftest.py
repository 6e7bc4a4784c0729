"""Real mainnet fixtures for the Bitcoin ingest tests (files under tests/data/bitcoin/).

bitcoin-etl recorded bitcoind's verbose JSON (``getblock <hash> 2``), which carries each
transaction's raw ``hex`` and every header field: :func:`raw_from_verbose` rebuilds the
consensus bytes from them, so those blocks go through the same raw-block path as
``getblock <hash> 0`` while bitcoind's own ``addresses`` stay available for comparison.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from txmon.store.sqlite import SqliteStore

DATA = Path(__file__).resolve().parents[3] / "data" / "bitcoin"
RAW_BLOCKS = {  # file → (height, hash, transaction count), from the files' provenance
    "block169482.dat": (
        169482, "0000000000000756935f1ee9d5987857b604046f846d3df56d024cdb5f368665", 14),
    "block300025.raw": (
        300025, "0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c", 461),
    "block482683.raw": (
        482683, "000000000000000000c238240ef6dcb26c37e75e16514e6ffc0aef7eee73e747", 12),
    "block_13b8a.hex": (
        None, "0000000000013b8ab2cd513b0261a14096412195a72a0c4827d229dcc7e0f7af", 9),
    "block702861.raw": (
        702861, "000000000000000000000c835b2adcaedc20fdf6ee440009c249452c726dafae", 2500),
}  # fmt: skip
ETL_BLOCKS = {  # height → (folder, block hash) of bitcoind's getblock verbosity-2 result
    0: ("block_0", "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"),
    1: ("block_1", "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"),
    50000: ("block_without_transactions",
            "000000001aeae195809d120b5d66a39c83eb48792e068f8ea1fea19d84a4278a"),
    50001: ("block_with_transactions",
            "000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141"),
    50002: ("block_with_transactions",
            "000000002066d7f9b134c30b5005b7bf5fbfa52f279883f1fde793dcdc964266"),
}  # fmt: skip


def raw_block(name: str) -> bytes:
    data = (DATA / "raw" / name).read_bytes()
    return bytes.fromhex(data.decode().strip()) if name.endswith(".hex") else data


def verbose_block(height: int) -> dict[str, Any]:
    folder, hash_ = ETL_BLOCKS[height]
    path = DATA / "bitcoin-etl" / folder / f"rpc_response_getblock_{hash_}_2.json"
    return orjson.loads(path.read_bytes())


def _varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes((n,))
    return b"\xfd" + struct.pack("<H", n) if n <= 0xFFFF else b"\xfe" + struct.pack("<I", n)


def raw_from_verbose(block: dict[str, Any]) -> bytes:
    """Consensus bytes of a block from bitcoind's verbose JSON (header fields + tx hex)."""
    parent = block.get("previousblockhash", "00" * 32)
    header = (
        struct.pack("<i", block["version"])
        + bytes.fromhex(parent)[::-1]
        + bytes.fromhex(block["merkleroot"])[::-1]
        + struct.pack("<I", block["time"])
        + bytes.fromhex(block["bits"])[::-1]
        + struct.pack("<I", block["nonce"])
    )
    txs = b"".join(bytes.fromhex(tx["hex"]) for tx in block["tx"])
    return header + _varint(len(block["tx"])) + txs


class RecordedTransactions:
    """``getrawtransaction`` answers recorded from bitcoind (bitcoin-etl's stream fixtures).

    A :class:`~ingest.bitcoin.utxo.RawTxFetcher`: unknown txids are left out, as the node
    leaves out transactions it does not know. ``asked`` records every request.
    """

    def __init__(self) -> None:
        self.known: dict[str, bytes] = {}
        self.verbose: dict[str, dict[str, Any]] = {}
        for path in (DATA / "bitcoin-etl" / "stream_50001_50002").glob("*.json"):
            tx = orjson.loads(path.read_bytes())
            self.known[tx["txid"]] = bytes.fromhex(tx["hex"])
            self.verbose[tx["txid"]] = tx
        self.asked: list[str] = []

    def raw_transactions(self, txids: Sequence[str]) -> dict[str, bytes]:
        self.asked.extend(txids)
        return {txid: self.known[txid] for txid in txids if txid in self.known}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "s.db")
    yield store
    store.close()
