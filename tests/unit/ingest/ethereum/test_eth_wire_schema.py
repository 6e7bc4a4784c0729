"""Every transfer Ethereum ingest makes from a real block passes the bus's transfer schema.

The schema (txmon/transfer_schema.py) refuses what cannot exist; this proves it does not
refuse what ingest really emits: mainnet block 18,000,000 (94 transactions, failed ones,
a contract creation, ERC-20 logs with known and unknown tokens).
"""

from __future__ import annotations

from txmon.models import TransferKind
from txmon.wire import decode_transfer, encode_transfer


def test_block_18m_transfers_round_trip_through_the_schema(node, make_source, erigon):
    node.add("eth_getBlockByNumber", ["0x112a880", True],
             erigon("eth_getBlockByNumber/test_08.json"))
    node.add("eth_getBlockReceipts", ["0x112a880"], erigon("eth_getBlockReceipts/test_02.json"))
    [block] = make_source(node, receipts=True).fetch_blocks([18_000_000])
    kinds = {t.kind for t in block.transfers}
    assert {TransferKind.NATIVE, TransferKind.TOKEN} <= kinds
    assert [decode_transfer(encode_transfer(t)) for t in block.transfers] == list(block.transfers)
