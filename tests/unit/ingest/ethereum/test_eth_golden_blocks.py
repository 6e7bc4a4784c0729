"""Golden files: real mainnet blocks and receipts in, exact canonical transfers out."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

from web3.utils.address import get_create_address

from ingest.source import BlockRef
from txmon.models import TransferKind

B18M = 18_000_000
USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"


def _block_18m(node, make_source, erigon):
    node.add(
        "eth_getBlockByNumber", ["0x112a880", True], erigon("eth_getBlockByNumber/test_08.json")
    )
    node.add("eth_getBlockReceipts", ["0x112a880"], erigon("eth_getBlockReceipts/test_02.json"))
    [block] = make_source(node, receipts=True).fetch_blocks([B18M])
    return block


def test_block_18m_header_and_one_native_transfer_per_transaction(node, make_source, erigon):
    block = _block_18m(node, make_source, erigon)
    assert block.ref == BlockRef(
        number=B18M,
        hash="0x95b198e154acbfc64109dfd22d8224fe927fd8dfdedfae01587674482ba4baf3",
        parent_hash="0x198723e0ddf20153951c6304093cbd97fd306c5db03287c5586c0430a986080d",
        time=dt.datetime(2023, 8, 26, 16, 21, 35, tzinfo=dt.UTC),
    )
    raw_txs = erigon("eth_getBlockByNumber/test_08.json")["transactions"]
    native = [t for t in block.transfers if t.kind is TransferKind.NATIVE]
    assert [t.tx_hash for t in native] == [tx["hash"] for tx in raw_txs]
    assert len(native) == 94
    assert sum(1 for t in native if t.amount == 0) == 54  # zero-value calls are kept
    assert block.rejects == ()
    assert len({t.id for t in block.transfers}) == len(block.transfers)

    first = native[0]
    assert (
        first.id == "ethereum:0x16e199673891df518e25db2ef5320155da82a3dd71a677e7d84363251885d133:0"
    )
    assert (first.chain, first.network, first.asset.symbol, first.asset.decimals) == (
        "ethereum", "mainnet", "ETH", 18,
    )  # fmt: skip
    assert first.inputs[0].address == "0x16d5783a96ab20c9157d7933ac236646b29589a4"
    assert first.outputs[0].address == "0xfd14567eaf9ba941cb8c8a94eec14831ca7fd1b4"
    assert first.amount == 0 and first.success
    assert first.fee == 0xEC18 * 0x54A485839  # gasUsed × effectiveGasPrice
    assert first.block_hash == block.ref.hash and first.block_number == B18M


def test_block_18m_largest_eth_payment_is_exact_in_wei(node, make_source, erigon):
    block = _block_18m(node, make_source, erigon)
    [big] = [
        t
        for t in block.transfers
        if t.tx_hash == "0x8bd66e08dbe4a169dc82834cc382976ee80f39012e028195aa7f092929d96af5"
        and t.kind is TransferKind.NATIVE
    ]
    assert big.inputs[0].address == "0x0d0707963952f2fba59dd06f2b425ace40b492fe"
    assert big.outputs[0].address == "0x7dcb03387e7b5f0d1bc984984622d50f9ca16bc5"
    assert big.amount == 29_998_200_000_000_000_000


def test_block_18m_failed_transactions_are_kept_with_success_false(node, make_source, erigon):
    block = _block_18m(node, make_source, erigon)
    failed = {t.tx_hash for t in block.transfers if not t.success}
    assert failed == {
        "0xec080b91deea33830c3e626201662243c66c1f3d10da01f32c4cb0ebf395012a",
        "0x10a315bbd6c9500b24debc5882cc7d9193ed314b864e26a23a2d4d343dfdfc28",
    }


def test_block_18m_contract_creation_goes_to_the_created_contract(node, make_source, erigon):
    block = _block_18m(node, make_source, erigon)
    [create] = [
        t
        for t in block.transfers
        if t.tx_hash == "0x24578bf2676fabd01269543dda61e53496a3282b1d9794ddb141319578052359"
        and t.kind is TransferKind.NATIVE
    ]
    sender = "0xc0f1c87de7d8235cb960ed8742659503a4881c73"
    assert create.inputs[0].address == sender
    assert create.outputs[0].address == "0x0a82fc64ecfd6669899857ae3bb4c85398721fdd"
    # independent check: CREATE address = keccak(rlp(sender, nonce 5))
    assert create.outputs[0].address == get_create_address(sender, 5).lower()
    assert create.extra["contract_creation"] == "true"


def test_block_18m_erc20_transfers_decoded_with_token_list_metadata(node, make_source, erigon):
    block = _block_18m(node, make_source, erigon)
    tokens = [t for t in block.transfers if t.kind is TransferKind.TOKEN]
    assert len(tokens) == 141  # Transfer logs with 3 topics; the 2 ERC-721 ones are not ERC-20
    per_contract = Counter(t.asset.contract for t in tokens)
    assert (per_contract[USDT], per_contract[WETH], per_contract[USDC]) == (45, 31, 13)
    assert {(t.asset.symbol, t.asset.decimals) for t in tokens if t.asset.contract == USDT} == {
        ("USDT", 6)
    }
    assert {(t.asset.symbol, t.asset.decimals) for t in tokens if t.asset.contract == WETH} == {
        ("WETH", 18)
    }

    [binance] = [
        t
        for t in tokens
        if t.tx_hash == "0x73ee5f2594e154c73590ba8339e69a553b14ccce29b5a976b2725885cf86e185"
    ]
    assert binance.id.endswith(":1000000")  # first log of its transaction
    assert binance.extra["log_index"] == "52"  # block-wide log index kept for reference
    assert binance.inputs[0].address == "0x28c6c06298d514db089934071355e5743bf21d60"
    assert binance.outputs[0].address == "0x7e7bdf8b9bc6bdeeb936e694b3e721424c364e90"
    assert binance.amount == 337_095_759  # 337.095759 USDT in token units

    [usdc] = [
        t
        for t in tokens
        if t.tx_hash == "0xde0ca4c3db355459e8573d7d6f6373256ef1e883e331f3aaf9e4cb8bd668138d"
        and t.asset.contract == USDC
    ]
    assert usdc.index == 1_000_003 and usdc.amount == 8_000_000_000
    assert usdc.asset.symbol == "USDC" and usdc.asset.decimals == 6


def test_block_18m_unknown_tokens_are_asked_once_in_one_batch(node, make_source, erigon):
    block = _block_18m(node, make_source, erigon)
    eth_calls = [item for body in node.requests for item in body if item["method"] == "eth_call"]
    contracts = {c["params"][0]["to"] for c in eth_calls}
    # 32 contracts emitted ERC-20 Transfers; 6 are in the token list (USDT, USDC, WETH, DAI,
    # BUSD, TUSD): the other 26 are asked decimals() and symbol(), once each, in one batch
    assert len(contracts) == 26 and len(eth_calls) == 52
    assert sum(1 for body in node.requests if any(i["method"] == "eth_call" for i in body)) == 1
    # the recording has no eth_call answers: such tokens stay identifiable by contract
    unknown = [t for t in block.transfers if t.asset.symbol == "UNKNOWN"]
    assert {t.asset.contract for t in unknown} == contracts


def test_block_483920_per_transaction_receipts_match_ethereum_etl(node, make_source, etl, eth_data):
    prefix = "test_export_receipts_job/receipts_with_logs/web3_response.eth_getTransactionReceipt_"
    block = etl(
        "test_export_blocks_job/block_with_logs/web3_response.eth_getBlockByNumber_0x76250_true.json"
    )
    node.add("eth_getBlockByNumber", ["0x76250", True], block)
    for tx in block["transactions"]:
        node.add("eth_getTransactionReceipt", [tx["hash"]], etl(f"{prefix}{tx['hash']}.json"))
    [out] = make_source(node, receipts=False).fetch_blocks([483_920])

    expected_path = (
        "test_export_token_transfers_job/block_with_transfers/expected_token_transfers.csv"
    )
    with open(eth_data / "ethereum-etl" / expected_path, newline="") as f:
        expected = list(csv.DictReader(f))
    tokens = [t for t in out.transfers if t.kind is TransferKind.TOKEN]
    got = [
        (t.asset.contract, t.inputs[0].address, t.outputs[0].address, t.amount, t.tx_hash,
         int(t.extra["log_index"]), t.block_number)
        for t in tokens
    ]  # fmt: skip
    assert got == [
        (e["token_address"], e["from_address"], e["to_address"], int(e["value"]),
         e["transaction_hash"], int(e["log_index"]), int(e["block_number"]))
        for e in expected
    ]  # fmt: skip
    assert len([t for t in out.transfers if t.kind is TransferKind.NATIVE]) == 4
    # pre-Byzantium receipts carry no status: success is unknown, not "failed"
    assert all(
        t.success and t.extra["status_from"] == "unknown"
        for t in out.transfers
        if t.kind is TransferKind.NATIVE
    )


def test_the_dao_transfer_in_block_1755635(node, make_source, etl):
    folder = "test_stream/blocks_1755634_1755635/web3_response."
    for number in (0x1AC9F2, 0x1AC9F3):
        block = etl(f"{folder}eth_getBlockByNumber_{hex(number)}_true.json")
        node.add("eth_getBlockByNumber", [hex(number), True], block)
        for tx in block["transactions"]:
            node.add(
                "eth_getTransactionReceipt",
                [tx["hash"]],
                etl(f"{folder}eth_getTransactionReceipt_{tx['hash']}.json"),
            )
    empty, full = make_source(node, receipts=False).fetch_blocks([1_755_634, 1_755_635])
    assert empty.transfers == () and empty.ref.number == 1_755_634
    assert full.ref.parent_hash == empty.ref.hash
    [dao] = [t for t in full.transfers if t.kind is TransferKind.TOKEN]
    assert dao.asset.contract == "0xbb9bc244d798123fde783fcc1c72d3bb8c189413"
    assert dao.asset.symbol == "UNKNOWN"  # not in the list; the recording has no eth_call
    assert dao.tx_hash == "0x2e3dcd051a91d3a694f6b8de2ac4b5fe7acdba55f58bcf8471ff00d4a430074d"
    assert dao.inputs[0].address == "0x6498077292a0921c8804924fdf47b5e91e2a215f"
    assert dao.outputs[0].address == "0x8b3b3b624c3c0397d3da8fd861512393d51dcbac"
    assert dao.amount == 5 * 10**18  # 0x4563918244f40000
    assert dao.index == 1_000_000  # the receipt's other log is not an ERC-20 Transfer
