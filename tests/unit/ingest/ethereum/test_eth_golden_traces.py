"""Golden files: real geth callTracer and Parity trace_block output → internal transfers."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from ingest.ethereum.calltracer import parse_calltracer
from ingest.ethereum.context import BlockContext
from ingest.ethereum.frames import TxTrace
from ingest.ethereum.internal import internal_transfers
from ingest.ethereum.paritytrace import parse_flat_calltracer, parse_trace_block

PARITY = "test_export_traces_job/{case}/web3_response.trace_block_{n}.json"
GETH = (
    "test_extract_geth_traces_job/{case}/"
    "web3_response.debug_traceBlockByNumber_{n}_tracer_calltracer.json"
)
CASES = {
    "block_with_subtraces": "0xf4240",
    "block_with_create": "0xf44f2",
    "block_with_error": "0xf45bf",
    "block_with_suicide": "0xf7105",
}


def _ctx(number: int) -> BlockContext:
    return BlockContext(
        "ethereum", "mainnet", number, "0xblock", dt.datetime(2016, 2, 1, tzinfo=dt.UTC)
    )


def _tx_hashes(entries: list[dict]) -> list[str]:
    """Transaction hashes in block order, read from a Parity trace of the block."""
    seen: dict[int, str] = {}
    for e in entries:
        if e.get("transactionHash"):
            seen[e["transactionPosition"]] = e["transactionHash"]
    return [seen[i] for i in sorted(seen)]


def _both(etl, case: str) -> tuple[list[str], list, list]:
    parity_raw = etl(PARITY.format(case=case, n=CASES[case]))
    hashes = _tx_hashes(parity_raw)
    parity = parse_trace_block(parity_raw, hashes)
    geth = parse_calltracer(etl(GETH.format(case=case, n=CASES[case])), hashes)
    return hashes, parity, geth


def _internal(number: int, hashes: list[str], traces: list) -> list:
    out = []
    for tx_hash, trace in zip(hashes, traces, strict=True):
        assert isinstance(trace, TxTrace)
        out.extend(internal_transfers(_ctx(number), tx_hash, trace)[0])
    return out


def _expected_nested(eth_data, folder: str, case: str) -> list[dict[str, str]]:
    path = eth_data / "ethereum-etl" / folder / case / "expected_traces.csv"
    with open(path, newline="") as f:
        return [row for row in csv.DictReader(f) if row["trace_address"] != ""]


def test_callcode_frame_same_id_in_both_formats_and_moves_no_value(etl, eth_data):
    hashes, parity, geth = _both(etl, "block_with_subtraces")
    p = _internal(1_000_000, hashes, parity)
    g = _internal(1_000_000, hashes, geth)
    assert (
        [t.id for t in p]
        == [t.id for t in g]
        == ["ethereum:0xea1093d492a1dcb1bef708f771a99a96ff05dcab81ca76c31940300177fcf49f:1"]
    )
    # ethereum-etl's expectations for the nested frame, one per node flavour
    [etl_parity] = _expected_nested(eth_data, "test_export_traces_job", "block_with_subtraces")
    [etl_geth] = _expected_nested(eth_data, "test_extract_geth_traces_job", "block_with_subtraces")
    for ours, theirs in ((p[0], etl_parity), (g[0], etl_geth)):
        assert ours.inputs[0].address == theirs["from_address"]
        assert ours.outputs[0].address == theirs["to_address"]
        assert ours.extra["call_type"] == theirs["call_type"] == "callcode"
        # CALLCODE runs code in the caller's context: the 100 ETH never leaves the caller
        assert ours.amount == 0
        assert ours.extra["apparent_value"] == theirs["value"] == str(100 * 10**18)
        assert ours.success and ours.extra["trace_address"] == "0"


def test_root_verdicts_agree_and_errors_are_seen(etl):
    for case in CASES:
        _, parity, geth = _both(etl, case)
        assert [t.root_ok for t in parity] == [t.root_ok for t in geth], case
    _, parity, _ = _both(etl, "block_with_error")
    assert [t.root_ok for t in parity] == [False, True]  # tx 0 ran out of gas


def test_selfdestruct_parity_moves_balance_to_beneficiary(etl, eth_data):
    hashes, parity, _ = _both(etl, "block_with_suicide")
    [out] = _internal(1_011_973, hashes, parity)
    [expected] = _expected_nested(eth_data, "test_export_traces_job", "block_with_suicide")
    assert out.tx_hash == expected["transaction_hash"]
    assert out.inputs[0].address == expected["from_address"]  # the destroyed contract
    assert out.outputs[0].address == expected["to_address"]  # the beneficiary
    assert out.amount == int(expected["value"]) == 5 * 10**16
    assert out.extra["call_type"] == "selfdestruct"


def test_selfdestruct_without_beneficiary_is_dead_lettered_not_dropped(etl):
    hashes, _, geth = _both(etl, "block_with_suicide")
    transfers, rejects = internal_transfers(_ctx(1_011_973), hashes[0], geth[0])
    assert transfers == []
    [reject] = rejects
    assert reject.tx_hash == hashes[0] and reject.block_number == 1_011_973
    assert reject.item == "frame 0"
    assert "no recipient" in reject.reason
    assert reject.original == '{"type":"SELFDESTRUCT"}'


def test_first_post_merge_block_trace_block(erigon):
    raw = erigon("trace_block/test_23.json")
    hashes = _tx_hashes(raw)
    traces = parse_trace_block(raw, hashes)
    transfers = _internal(15_537_394, hashes, traces)
    nested = [e for e in raw if e["traceAddress"]]
    assert len(hashes) == 80 and len(transfers) == len(nested) == 60
    assert len({t.id for t in transfers}) == 60
    failed_roots = {e["transactionHash"] for e in raw if not e["traceAddress"] and e.get("error")}
    assert len(failed_roots) == 46
    # a frame under a reverted transaction did not happen: success is False
    assert {t.id for t in transfers if not t.success} == {
        t.id for t in transfers if t.tx_hash in failed_roots
    }
    staticcalls = [t for t in transfers if t.extra["call_type"] == "staticcall"]
    assert len(staticcalls) == 16 and all(t.amount == 0 for t in staticcalls)
    [create] = [t for t in transfers if t.extra["call_type"] == "create"]
    [raw_create] = [e for e in nested if e["type"] == "create"]
    assert create.tx_hash == raw_create["transactionHash"]
    assert create.inputs[0].address == raw_create["action"]["from"]
    assert create.outputs[0].address == raw_create["result"]["address"]


def test_flat_call_tracer_is_read_like_trace_block(erigon):
    items = erigon("debug_traceBlockByNumber/test_46.json")
    hashes = [item["txHash"] for item in items]
    traces = parse_flat_calltracer(items, hashes)
    assert len(traces) == 22 and all(isinstance(t, TxTrace) for t in traces)
    assert [len(t.frames) for t in traces] == [len(i["result"]) - 1 for i in items]


@pytest.mark.parametrize(
    "tx_hash", ["0xa620dc5f3badfb1178ab04f5e1141c9458c0ae9da9080786bdabedc147351f30"]
)
def test_nested_call_tracer_frames_in_pre_order(erigon, tx_hash):
    root = erigon("debug_traceTransaction/test_136.json")
    [trace] = parse_calltracer([{"txHash": tx_hash, "result": root}], [tx_hash])
    transfers, rejects = internal_transfers(_ctx(1), tx_hash, trace)
    assert rejects == []
    assert [(t.index, t.extra["trace_address"], t.extra["call_type"]) for t in transfers] == [
        (1, "0", "call"),
        (2, "0.0", "callcode"),
        (3, "0.0.0", "callcode"),
        (4, "0.1", "callcode"),
        (5, "0.2", "callcode"),
    ]
    assert transfers[0].inputs[0].address == "0x03ff099fc2c9b21192bc2c82f19a3e57d9bb457a"
    assert transfers[0].outputs[0].address == "0xbcbf4d2ce032769be810890bc1bf3b23a56eab62"
    assert transfers[2].outputs[0].address == "0xce642b6a82e72147ceade0e72c786ba8eaeb31d7"
