"""Fetching the raw JSON of a range of blocks in as few round trips as the node allows.

Two strategies, chosen from the node's capabilities:

* **traced** (geth-style ``callTracer``): per block the header with transaction hashes and
  its trace, plus one ``eth_getLogs`` for the whole range; transactions and receipts are
  rebuilt from those (:mod:`ingest.ethereum.fromtrace`). Blocks with a transaction the
  node could not trace are completed with the receipts strategy. This is the fast path.
* **receipts** (no trace, or Parity ``trace_block``): per block the block, its receipts
  (``eth_getBlockReceipts``, or one ``eth_getTransactionReceipt`` per transaction on nodes
  without it) and the Parity trace if any.

The pieces of one block are checked to belong together (same block hash): a reorg between
two calls of a batch would otherwise pair a block with another block's receipts or logs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest.ethereum.calltracer import parse_calltracer
from ingest.ethereum.capabilities import CALL_TRACER, Capabilities, TraceApi
from ingest.ethereum.frames import Inconsistent, TxTrace
from ingest.ethereum.fromtrace import logs_by_tx, receipt_from_trace, tx_from_trace
from ingest.ethereum.paritytrace import parse_trace_block
from ingest.rpc import NodeError, RpcClient
from txmon.errors import BadRecord

Traces = list[TxTrace | BadRecord]


@dataclass(slots=True)
class RawBlock:
    """A block's JSON with its receipts (by tx hash) and parsed traces (in tx order)."""

    block: dict[str, Any]
    receipts: dict[str, dict[str, Any]]
    traces: Traces | None
    trace_error: str | None  # why the node gave no trace for this block


def fetch_raw(
    rpc: RpcClient, caps: Capabilities, numbers: Sequence[int], bodies: bool = False
) -> list[RawBlock]:
    """Raw data of ``numbers`` in order; raises :class:`Inconsistent` on a mid-batch reorg.

    ``bodies`` fetches full transaction bodies on the traced path too (for fees).
    """
    if caps.traces is TraceApi.CALL_TRACER:
        return _fetch_traced(rpc, caps, numbers, bodies)
    return _fetch_with_receipts(rpc, caps, numbers)


def _fetch_traced(
    rpc: RpcClient, caps: Capabilities, numbers: Sequence[int], bodies: bool
) -> list[RawBlock]:
    calls: list[tuple[str, list[Any]]] = []
    for n in numbers:
        calls += [("eth_getBlockByNumber", [hex(n), bodies]),
                  ("debug_traceBlockByNumber", [hex(n), CALL_TRACER])]  # fmt: skip
    calls += [
        ("eth_getLogs", [{"fromBlock": hex(a), "toBlock": hex(b)}]) for a, b in _runs(numbers)
    ]
    answers = rpc.batch_results(calls)
    blocks = [_block(answers[2 * i], n) for i, n in enumerate(numbers)]
    hashes = {int(b["number"], 16): b["hash"] for b in blocks}
    logs = logs_by_tx((log for a in answers[2 * len(numbers) :] for log in _list(a)), hashes)
    out = [_traced_block(b, answers[2 * i + 1], logs, bodies) for i, b in enumerate(blocks)]
    incomplete = [raw for raw in out if _untraced(raw)]
    if incomplete:
        _complete(rpc, caps, incomplete)
    return out


def _traced_block(
    block: dict[str, Any], trace: Any, logs: dict[str, list], bodies: bool
) -> RawBlock:
    """The block with transactions and receipts rebuilt from its trace where there is one.

    A transaction without a trace is left as ``None`` for :func:`_complete` to fetch.
    """
    listed = block.get("transactions") or []
    tx_hashes = [tx["hash"] if bodies else tx for tx in listed]
    raw = _with_trace(block, {}, TraceApi.CALL_TRACER, trace, tx_hashes)
    txs: list[dict[str, Any] | None] = []
    for position, tx_hash in enumerate(tx_hashes):
        tx_trace = raw.traces[position] if raw.traces is not None else None
        if not isinstance(tx_trace, TxTrace):
            txs.append(listed[position] if bodies else None)
            continue
        tx = listed[position] if bodies else tx_from_trace(tx_hash, position, tx_trace)
        raw.receipts[tx_hash] = receipt_from_trace(tx, tx_trace, logs.get(tx_hash, []))
        txs.append(tx)
    raw.block = {**block, "transactions": txs}
    return raw


def _untraced(raw: RawBlock) -> bool:
    return any(tx is None or tx["hash"] not in raw.receipts for tx in raw.block["transactions"])


def _complete(rpc: RpcClient, caps: Capabilities, raws: list[RawBlock]) -> None:
    """Bodies and real receipts for the transactions the node could not trace."""
    plain = dataclasses.replace(caps, traces=TraceApi.NONE)
    numbers = [int(raw.block["number"], 16) for raw in raws]
    for raw, full in zip(raws, _fetch_with_receipts(rpc, plain, numbers), strict=True):
        if full.block.get("hash") != raw.block.get("hash"):
            raise Inconsistent(f"block {full.block.get('number')} changed while being read")
        listed = full.block.get("transactions") or []
        txs = raw.block["transactions"]
        raw.block["transactions"] = [tx or listed[i] for i, tx in enumerate(txs)]
        for tx_hash, receipt in full.receipts.items():
            raw.receipts.setdefault(tx_hash, receipt)


def _fetch_with_receipts(
    rpc: RpcClient, caps: Capabilities, numbers: Sequence[int]
) -> list[RawBlock]:
    per_block = 1 + caps.block_receipts + (caps.traces is TraceApi.PARITY)
    calls: list[tuple[str, list[Any]]] = []
    for n in numbers:
        calls.append(("eth_getBlockByNumber", [hex(n), True]))
        if caps.block_receipts:
            calls.append(("eth_getBlockReceipts", [hex(n)]))
        if caps.traces is TraceApi.PARITY:
            calls.append(("trace_block", [hex(n)]))
    answers = rpc.batch_results(calls)
    blocks = [_block(answers[i * per_block], n) for i, n in enumerate(numbers)]
    if caps.block_receipts:
        receipts = [_receipts(answers[i * per_block + 1], n) for i, n in enumerate(numbers)]
    else:
        receipts = _receipts_per_tx(rpc, blocks)
    out = []
    for i, block in enumerate(blocks):
        _check_receipts(block, receipts[i])
        by_hash = {str(r.get("transactionHash")): r for r in receipts[i]}
        trace = answers[i * per_block + per_block - 1] if caps.traces is TraceApi.PARITY else None
        tx_hashes = [tx.get("hash") for tx in block.get("transactions") or ()]
        out.append(_with_trace(block, by_hash, caps.traces, trace, tx_hashes))
    return out


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Contiguous ``(first, last)`` runs of ``numbers`` (one eth_getLogs each)."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _list(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, NodeError):
        raise answer
    if not isinstance(answer, list):
        raise NodeError("eth_getLogs", f"expected a list of logs, got {answer!r:.100}")
    return answer


def _block(answer: Any, number: int) -> dict[str, Any]:
    if isinstance(answer, NodeError):
        raise answer
    if not isinstance(answer, dict):
        raise NodeError("eth_getBlockByNumber", f"block {number} not found")
    return answer


def _receipts(answer: Any, number: int) -> list[dict[str, Any]]:
    if isinstance(answer, NodeError):
        raise answer
    if not isinstance(answer, list):
        raise NodeError("eth_getBlockReceipts", f"no receipts for block {number}")
    return answer


def _receipts_per_tx(rpc: RpcClient, blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    hashes = [[tx["hash"] for tx in b.get("transactions") or ()] for b in blocks]
    flat = rpc.batch([("eth_getTransactionReceipt", [h]) for hs in hashes for h in hs])
    out, start = [], 0
    for hs in hashes:
        out.append([r for r in flat[start : start + len(hs)] if isinstance(r, dict)])
        start += len(hs)
    return out


def _check_receipts(block: dict[str, Any], receipts: list[dict[str, Any]]) -> None:
    block_hash = block.get("hash")
    if any(r.get("blockHash", block_hash) != block_hash for r in receipts):
        raise Inconsistent(f"receipts of block {block.get('number')} are from another block")


def _with_trace(
    block: dict[str, Any],
    receipts: dict[str, dict[str, Any]],
    api: TraceApi,
    trace: Any,
    tx_hashes: list[Any],
) -> RawBlock:
    if trace is None or api is TraceApi.NONE:
        return RawBlock(block, receipts, None, None)
    if isinstance(trace, NodeError):
        return RawBlock(block, receipts, None, trace.reason)
    try:
        parsed = _parse_trace(api, trace, tx_hashes, block.get("hash"))
    except BadRecord as exc:
        return RawBlock(block, receipts, None, str(exc))
    return RawBlock(block, receipts, parsed, None)


def _parse_trace(api: TraceApi, trace: Any, tx_hashes: list[Any], block_hash: Any) -> Traces:
    if not isinstance(trace, list):
        raise BadRecord(f"trace is not a list: {trace!r:.200}")
    if api is TraceApi.CALL_TRACER:
        return parse_calltracer(trace, tx_hashes)
    if any(e.get("blockHash", block_hash) != block_hash for e in trace if isinstance(e, dict)):
        raise Inconsistent("trace_block answered for another block")
    return parse_trace_block(trace, tx_hashes)
