"""geth ``debug_traceBlockByNumber`` with ``callTracer`` → :class:`TxTrace` per transaction."""

from __future__ import annotations

from typing import Any

from ingest.ethereum.fields import hex_value
from ingest.ethereum.frames import Frame, Inconsistent, TxTrace
from txmon.errors import BadRecord


def parse_calltracer(items: list[Any], tx_hashes: list[str]) -> list[TxTrace | BadRecord]:
    """One entry per transaction, in block order; a tx the node could not trace → BadRecord.

    Raises :class:`Inconsistent` when the trace is of other transactions than ``tx_hashes``.

    geth answers ``[{"txHash": …, "result": <root frame>}]`` (``txHash`` since 1.11) or
    ``{"error": …}`` in place of ``result`` when tracing that transaction failed.
    """
    if len(items) != len(tx_hashes):
        raise BadRecord(f"trace has {len(items)} entries for {len(tx_hashes)} transactions")
    out: list[TxTrace | BadRecord] = []
    for item, tx_hash in zip(items, tx_hashes, strict=True):
        if not isinstance(item, dict) or not isinstance(item.get("result"), dict):
            reason = item.get("error") if isinstance(item, dict) else item
            out.append(BadRecord(f"node could not trace the transaction: {reason}"))
        elif item.get("txHash") not in (None, tx_hash):
            raise Inconsistent(f"trace is for {item.get('txHash')}, expected {tx_hash}")
        else:
            out.append(_guarded(item["result"]))
    return out


def _guarded(root: dict[str, Any]) -> TxTrace | BadRecord:
    try:
        return _tx_trace(root)
    except BadRecord as exc:
        return exc


def _tx_trace(root: dict[str, Any]) -> TxTrace:
    trace = TxTrace(
        root_ok=root.get("error") is None,
        root_from=root.get("from"),
        root_value=hex_value(root.get("value"), "root value"),
        root_to=root.get("to"),
        root_type=str(root.get("type", "")).lower(),
        root_gas_used=hex_value(root.get("gasUsed"), "root gasUsed") if "gasUsed" in root else None,
    )
    _walk(root, (), not trace.root_ok, trace.frames)
    return trace


def _walk(parent: dict[str, Any], path: tuple[int, ...], reverted: bool, out: list[Frame]) -> None:
    """Depth-first pre-order over ``calls`` (iterative depth would not change the order)."""
    for position, call in enumerate(parent.get("calls") or ()):
        failed = reverted or call.get("error") is not None
        call_type = str(call.get("type", "")).lower()
        sender = call.get("from")
        if sender is None and call_type == "selfdestruct":  # old JS tracer: only the type
            sender = parent.get("to")
        frame_path = (*path, position)
        out.append(
            Frame(
                trace_address=frame_path,
                call_type=call_type,
                sender=sender,
                recipient=call.get("to"),
                value=hex_value(call.get("value"), "frame value"),
                error=call.get("error"),
                reverted=failed,
                raw={k: v for k, v in call.items() if k != "calls"},
            )
        )
        _walk(call, frame_path, failed, out)
