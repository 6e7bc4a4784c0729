"""Every transfer Bitcoin ingest makes from a real block passes the bus's transfer schema.

Genesis (a P2PK coinbase, reported as its P2PKH address) and block 50,001 (spends resolved
from bitcoind's recorded answers): the schema refuses what cannot exist, not what ingest
really emits.
"""

from __future__ import annotations

from ingest.bitcoin.blocks import BlockDecoder
from ingest.bitcoin.utxo import UtxoCache
from txmon.addresses.networks import MAINNET
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer, encode_transfer

from .conftest import RecordedTransactions, raw_from_verbose, verbose_block


def test_genesis_and_block_50001_round_trip_through_the_schema(store: SqliteStore) -> None:
    decoder = BlockDecoder(MAINNET, UtxoCache(store, MAINNET, fetcher=RecordedTransactions()))
    transfers = [t for height in (0, 50_001)
                 for t in decoder.decode(raw_from_verbose(verbose_block(height)), height).transfers]
    assert any(leg.address == "coinbase" for t in transfers for leg in t.inputs)
    assert [decode_transfer(encode_transfer(t)) for t in transfers] == transfers
