"""Which optional JSON-RPC methods the node offers, asked once per source.

Receipts: ``eth_getBlockReceipts`` (geth ≥ 1.13, Erigon, Nethermind, Reth) gives a block's
receipts in one call; without it, one ``eth_getTransactionReceipt`` per transaction.
Traces: geth-style ``debug_traceBlockByNumber`` with ``callTracer``, else Parity-style
``trace_block``, else none — then internal transfers are missing, and a warning says so once.
A method counts as missing only when the node says "method not found" (-32601): any other
error (e.g. "genesis is not traceable") means the method exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ingest.rpc import NodeError, RpcClient

log = logging.getLogger(__name__)

METHOD_NOT_FOUND = -32601
CALL_TRACER = {"tracer": "callTracer"}


class TraceApi(StrEnum):
    CALL_TRACER = "callTracer"  # debug_traceBlockByNumber(n, {tracer: callTracer})
    PARITY = "trace_block"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Capabilities:
    block_receipts: bool
    traces: TraceApi


def detect(rpc: RpcClient, probe: int, want_traces: bool = True) -> Capabilities:
    """Probe the node with block ``probe`` (use a recent block: old state may be pruned)."""
    number = hex(probe)
    answers = rpc.batch_results(
        [
            ("eth_getBlockReceipts", [number]),
            ("debug_traceBlockByNumber", [number, CALL_TRACER]),
            ("trace_block", [number]),
        ]
    )
    receipts, geth, parity = (_exists(a) for a in answers)
    traces = TraceApi.NONE
    if want_traces and geth:
        traces = TraceApi.CALL_TRACER
    elif want_traces and parity:
        traces = TraceApi.PARITY
    elif want_traces:
        log.warning(
            "node offers neither debug_traceBlockByNumber nor trace_block: internal "
            "transfers (value moved by contracts) will NOT be extracted"
        )
    log.info("node capabilities: block receipts=%s, traces=%s", receipts, traces.value)
    return Capabilities(block_receipts=receipts, traces=traces)


def _exists(answer: Any) -> bool:
    if not isinstance(answer, NodeError):
        return True
    return answer.code != METHOD_NOT_FOUND and "does not exist" not in answer.reason
