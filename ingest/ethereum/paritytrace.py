"""Parity-style flat traces (``trace_block``, geth ``flatCallTracer``) → :class:`TxTrace`."""

from __future__ import annotations

from typing import Any

from ingest.ethereum.fields import hex_value
from ingest.ethereum.frames import Frame, Inconsistent, TxTrace
from txmon.errors import BadRecord


def parse_trace_block(entries: list[Any], tx_hashes: list[str]) -> list[TxTrace | BadRecord]:
    """``trace_block`` output → one entry per transaction, in block order.

    Block and uncle ``reward`` entries have no transaction and are not transfers between
    parties; they are left out on purpose.
    """
    grouped: dict[str, list[dict[str, Any]]] = {h: [] for h in tx_hashes}
    for entry in entries:
        tx_hash = entry.get("transactionHash") if isinstance(entry, dict) else None
        if tx_hash is None:
            continue  # reward
        if tx_hash not in grouped:
            raise Inconsistent(f"trace of transaction {tx_hash}, which is not in the block")
        grouped[tx_hash].append(entry)
    return [_tx_trace(grouped[h]) for h in tx_hashes]


def parse_flat_calltracer(items: list[Any], tx_hashes: list[str]) -> list[TxTrace | BadRecord]:
    """geth ``flatCallTracer``: ``[{"txHash", "result": [parity entries]}]`` per transaction."""
    if len(items) != len(tx_hashes):
        raise BadRecord(f"trace has {len(items)} entries for {len(tx_hashes)} transactions")
    out: list[TxTrace | BadRecord] = []
    for item in items:
        result = item.get("result") if isinstance(item, dict) else None
        if not isinstance(result, list):
            out.append(BadRecord(f"node could not trace the transaction: {item!r:.200}"))
        else:
            out.append(_tx_trace(result))
    return out


def _tx_trace(entries: list[dict[str, Any]]) -> TxTrace | BadRecord:
    try:
        return _build(entries)
    except (BadRecord, TypeError, KeyError) as exc:
        return exc if isinstance(exc, BadRecord) else BadRecord(f"malformed trace: {exc!r}")


def _build(entries: list[dict[str, Any]]) -> TxTrace | BadRecord:
    ordered = sorted(entries, key=lambda e: tuple(e.get("traceAddress") or ()))
    if not ordered or ordered[0].get("traceAddress"):
        return BadRecord("trace has no root frame for the transaction")
    failed: set[tuple[int, ...]] = set()
    trace = TxTrace(root_ok=ordered[0].get("error") is None)
    if not trace.root_ok:
        failed.add(())
    for entry in ordered[1:]:
        path = tuple(entry["traceAddress"])
        if entry.get("error") is not None:
            failed.add(path)
        reverted = any(path[:n] in failed for n in range(len(path) + 1))
        trace.frames.append(_frame(entry, path, reverted))
    return trace


def _frame(entry: dict[str, Any], path: tuple[int, ...], reverted: bool) -> Frame:
    action = entry.get("action") or {}
    result = entry.get("result") or {}
    kind = entry.get("type")
    if kind == "call":
        call_type, sender, recipient = (
            action.get("callType", "call"),
            action.get("from"),
            action.get("to"),
        )
        value = action.get("value")
    elif kind == "create":
        call_type = action.get("creationMethod", "create")
        sender, recipient, value = action.get("from"), result.get("address"), action.get("value")
    elif kind in ("suicide", "selfdestruct"):
        call_type, sender, recipient = (
            "selfdestruct",
            action.get("address"),
            action.get("refundAddress"),
        )
        value = action.get("balance")
    else:
        call_type, sender, recipient, value = str(kind), action.get("from"), action.get("to"), None
    return Frame(
        trace_address=path,
        call_type=str(call_type).lower(),
        sender=sender,
        recipient=recipient,
        value=hex_value(value, "trace value"),
        error=entry.get("error"),
        reverted=reverted,
        raw=entry,
    )
