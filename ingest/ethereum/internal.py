"""Nested call frames → ``internal`` transfers: every call is an interaction, value or not.

A contract that forwards ETH to, or merely calls, a sanctioned address is visible to the
rules only here. Each nested frame yields one transfer ``sender → recipient``:

* ``amount`` is the value the frame moves — the frame's value for CALL, CREATE, CREATE2
  and SELFDESTRUCT, and 0 for DELEGATECALL, STATICCALL and CALLCODE, which move none
  (their reported value, if any, is kept as ``extra["apparent_value"]``);
* ``success`` is False when the frame or one of its callers failed (its effects, value
  included, were undone), like a failed top-level transaction;
* ``extra`` carries ``call_type``, ``trace_address`` ("0.2.1") and the frame's ``error``.
"""

from __future__ import annotations

from ingest.deadletter import Rejected, original_json
from ingest.ethereum.addresses import normalise_address
from ingest.ethereum.context import BlockContext
from ingest.ethereum.frames import VALUE_MOVING, Frame, TxTrace
from ingest.ethereum.ids import internal_index
from txmon.errors import BadRecord
from txmon.models import Transfer, TransferKind


def internal_transfers(
    ctx: BlockContext, tx_hash: str, trace: TxTrace
) -> tuple[list[Transfer], list[Rejected]]:
    """Transfers of the nested frames of one transaction, and the frames that could not be."""
    transfers: list[Transfer] = []
    rejects: list[Rejected] = []
    for ordinal, frame in enumerate(trace.frames):
        try:
            transfers.append(_transfer(ctx, tx_hash, ordinal, frame))
        except BadRecord as exc:
            rejects.append(
                Rejected(
                    reason=str(exc),
                    block_number=ctx.number,
                    block_hash=ctx.hash,
                    tx_hash=tx_hash,
                    item="frame " + ".".join(map(str, frame.trace_address)),
                    original=original_json(frame.raw),
                )
            )
    return transfers, rejects


def _transfer(ctx: BlockContext, tx_hash: str, ordinal: int, frame: Frame) -> Transfer:
    if frame.recipient is None:
        raise BadRecord(f"{frame.call_type or 'unknown'} frame has no recipient address")
    moves = frame.call_type in VALUE_MOVING
    extra = {"call_type": frame.call_type, "trace_address": ".".join(map(str, frame.trace_address))}
    if frame.error is not None:
        extra["error"] = str(frame.error)
    if not moves and frame.value:
        extra["apparent_value"] = str(frame.value)
    return ctx.transfer(
        asset=ctx.native,
        tx_hash=tx_hash,
        index=internal_index(ordinal),
        sender=normalise_address(frame.sender),
        recipient=normalise_address(frame.recipient),
        amount=frame.value if moves else 0,
        kind=TransferKind.INTERNAL,
        success=not frame.reverted,
        extra=extra,
    )
