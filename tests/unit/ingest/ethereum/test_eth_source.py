"""EthereumSource behaviour around the node: capabilities, strategies, fallbacks, reorgs.

Block 18,000,000 and its receipts are real recorded responses. Where a test needs a geth
``callTracer`` answer for that block (none was recorded upstream), one is derived from the
real transactions and receipts (root frames only) — the real tracer is exercised against
geth in tests/integration/test_ethereum_geth.py.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ingest.ethereum.capabilities import CALL_TRACER, Capabilities, TraceApi, detect
from ingest.rpc import NodeError, RpcClient
from txmon.models import TransferKind

N = "0x112a880"  # block 18,000,000


@pytest.fixture
def block(erigon) -> dict:
    return erigon("eth_getBlockByNumber/test_08.json")


@pytest.fixture
def receipts(erigon) -> list[dict]:
    return erigon("eth_getBlockReceipts/test_02.json")


def root_frames(block: dict, receipts: list[dict]) -> list[dict[str, Any]]:
    """A callTracer answer with root frames only, derived from the real block and receipts."""
    out = []
    for tx, receipt in zip(block["transactions"], receipts, strict=True):
        root = {"type": "CALL" if tx["to"] else "CREATE", "from": tx["from"],
                "to": tx["to"] or receipt["contractAddress"], "value": tx["value"],
                "gasUsed": receipt["gasUsed"], "input": tx["input"][:10]}  # fmt: skip
        if receipt["status"] == "0x0":
            root["error"] = "execution reverted"
        out.append({"txHash": tx["hash"], "result": root})
    return out


def all_logs(receipts: list[dict]) -> list[dict]:
    return [log for r in receipts for log in r["logs"]]


def header(block: dict) -> dict:
    """``eth_getBlockByNumber(n, false)``: the same block with transaction hashes only."""
    return {**block, "transactions": [tx["hash"] for tx in block["transactions"]]}


def summary(blk, fees: bool = True) -> list[tuple]:
    return [
        (t.id, t.inputs, t.outputs, t.asset, t.success, t.extra.get("tx_index"),
         t.extra.get("contract_creation"), t.fee if fees else None)
        for t in blk.transfers
    ]  # fmt: skip


def traced_node(node, block, receipts, frames=None):
    node.add("eth_getBlockByNumber", [N, False], header(block))
    node.add("debug_traceBlockByNumber", [N, CALL_TRACER], frames or root_frames(block, receipts))
    node.add("eth_getLogs", [{"fromBlock": N, "toBlock": N}], all_logs(receipts))
    return node


def test_detection_uses_method_not_found_and_warns_once_without_traces(node, caplog):
    node.add("eth_getBlockReceipts", [N], [])
    caplog.set_level(logging.WARNING)
    caps = detect(RpcClient("http://recorded", transport=node), 18_000_000)
    assert caps == Capabilities(block_receipts=True, traces=TraceApi.NONE)
    assert "internal transfers" in caplog.text


def test_detection_prefers_call_tracer_and_accepts_trace_block(new_node):
    geth = new_node().add_error("debug_traceBlockByNumber", [N, CALL_TRACER], -32000,
                                    "genesis is not traceable")  # fmt: skip
    caps = detect(RpcClient("http://recorded", transport=geth), 18_000_000)
    assert caps.traces is TraceApi.CALL_TRACER  # an error other than -32601: method exists
    assert caps.block_receipts is False
    erigon = new_node().add("trace_block", [N], [])
    assert detect(RpcClient("http://r", transport=erigon), 18_000_000).traces is TraceApi.PARITY


def test_traced_strategy_reads_transactions_from_the_trace(node, make_source, block, receipts):
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], receipts)
    [expected] = make_source(node, receipts=True).fetch_blocks([18_000_000])
    traced_node(node, block, receipts)
    before = (node.calls("eth_getBlockReceipts"), node.calls("eth_getBlockByNumber"))
    source = make_source(node, receipts=True, traces=TraceApi.CALL_TRACER)
    [traced] = source.fetch_blocks([18_000_000])
    # one header (hashes only), no receipts, no transaction bodies
    assert (node.calls("eth_getBlockReceipts"), node.calls("eth_getBlockByNumber")) == (
        before[0], before[1] + 1,
    )  # fmt: skip
    last = [i for b in node.requests for i in b if i["method"] == "eth_getBlockByNumber"][-1]
    assert last["params"] == [N, False]
    # same ids, legs, assets, status and creations; the fee needs the bodies
    assert summary(traced, fees=False) == summary(expected, fees=False)
    assert all(t.fee is None for t in traced.transfers)
    assert len(traced.transfers) == 94 + 141 and traced.rejects == ()


def test_traced_strategy_with_fees_fetches_bodies_and_matches_receipts(
    node, make_source, block, receipts
):
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], receipts)
    [expected] = make_source(node, receipts=True).fetch_blocks([18_000_000])
    traced_node(node, block, receipts)
    source = make_source(node, receipts=True, traces=TraceApi.CALL_TRACER, fees=True)
    [traced] = source.fetch_blocks([18_000_000])
    assert summary(traced) == summary(expected)  # fees included


def test_a_transaction_the_node_cannot_trace_is_completed_from_the_node(
    node, make_source, block, receipts
):
    frames = root_frames(block, receipts)
    bad = frames[5]["txHash"]
    frames[5] = {"txHash": bad, "error": "execution timeout"}
    traced_node(node, block, receipts, frames)
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], receipts)
    [out] = make_source(node, receipts=True, traces=TraceApi.CALL_TRACER).fetch_blocks([18_000_000])
    [native] = [t for t in out.transfers if t.tx_hash == bad and t.kind is TransferKind.NATIVE]
    assert native.amount == int(block["transactions"][5]["value"], 16)
    assert native.fee is not None  # from its real receipt
    assert len(out.transfers) == 94 + 141
    [reject] = out.rejects
    assert (reject.tx_hash, reject.item, reject.block_number) == (bad, "trace", 18_000_000)
    assert "execution timeout" in reject.reason


def test_a_block_without_trace_is_dead_lettered_once_and_still_extracted(
    node, make_source, block, receipts
):
    node.add("eth_getBlockByNumber", [N, False], header(block))
    node.add_error("debug_traceBlockByNumber", [N, CALL_TRACER], -32000,
                   "required historical state unavailable")  # fmt: skip
    node.add("eth_getLogs", [{"fromBlock": N, "toBlock": N}], all_logs(receipts))
    node.add("eth_getBlockByNumber", [N, True], block)
    for tx, receipt in zip(block["transactions"], receipts, strict=True):
        node.add("eth_getTransactionReceipt", [tx["hash"]], receipt)
    [out] = make_source(node, receipts=False, traces=TraceApi.CALL_TRACER).fetch_blocks(
        [18_000_000]
    )
    assert len(out.transfers) == 94 + 141
    assert node.calls("eth_getTransactionReceipt") == 94  # no eth_getBlockReceipts here
    [reject] = out.rejects
    assert reject.item == "trace" and reject.tx_hash is None
    assert "required historical state unavailable" in reject.reason


def test_receipts_of_another_block_are_read_again(node, make_source, block, receipts):
    stale = [{**r, "blockHash": "0x" + "ab" * 32} for r in receipts]
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], stale).add("eth_getBlockReceipts", [N], receipts)
    [out] = make_source(node, receipts=True).fetch_blocks([18_000_000])
    assert node.calls("eth_getBlockReceipts") == 2
    assert len(out.transfers) == 94 + 141


def test_a_chain_that_keeps_moving_is_a_loud_error(node, make_source, block, receipts):
    stale = [{**r, "blockHash": "0x" + "ab" * 32} for r in receipts]
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], stale)
    with pytest.raises(NodeError, match="chain kept moving"):
        make_source(node, receipts=True).fetch_blocks([18_000_000])


def test_a_malformed_transfer_log_is_dead_lettered_with_coordinates(
    node, make_source, block, receipts
):
    target = next(r for r in receipts if r["transactionHash"].startswith("0x73ee5f25"))
    target["logs"][0] = {**target["logs"][0], "data": "0x"}
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], receipts)
    [out] = make_source(node, receipts=True).fetch_blocks([18_000_000])
    assert len([t for t in out.transfers if t.kind is TransferKind.TOKEN]) == 140
    [reject] = out.rejects
    assert (reject.tx_hash, reject.item) == (target["transactionHash"], "log 0")
    assert "not one 32-byte word" in reject.reason and '"data":"0x"' in reject.original


def test_contract_address_is_derived_when_the_receipt_lacks_it(node, make_source, block, receipts):
    creation = "0x24578bf2676fabd01269543dda61e53496a3282b1d9794ddb141319578052359"
    for r in receipts:
        if r["transactionHash"] == creation:
            r["contractAddress"] = None
    node.add("eth_getBlockByNumber", [N, True], block)
    node.add("eth_getBlockReceipts", [N], receipts)
    [out] = make_source(node, receipts=True).fetch_blocks([18_000_000])
    [native] = [t for t in out.transfers if t.tx_hash == creation and t.index == 0]
    assert native.outputs[0].address == "0x0a82fc64ecfd6669899857ae3bb4c85398721fdd"
