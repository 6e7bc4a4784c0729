"""The common shape of a call frame, whichever tracer produced it.

geth's ``callTracer`` nests frames; Parity/Erigon ``trace_block`` (and geth's
``flatCallTracer``) lists them flat with a ``traceAddress``. Both are turned into
:class:`TxTrace` — the root frame's verdict plus the nested frames in depth-first
pre-order — so that one function (:mod:`ingest.ethereum.internal`) makes transfers of both
and the two formats give identical ids for the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Inconsistent(Exception):
    """Data of one block came from different blocks: the chain moved between two calls."""


# Frame types in which the frame's value really leaves ``sender`` for ``recipient``.
# DELEGATECALL and STATICCALL report the parent's value but move none; CALLCODE runs
# another contract's code in the caller's context, so its value stays with the caller.
VALUE_MOVING = frozenset({"call", "create", "create2", "selfdestruct"})


@dataclass(frozen=True, slots=True)
class Frame:
    """One nested call as the tracer reported it (addresses not yet validated)."""

    trace_address: tuple[int, ...]
    call_type: str  # call | delegatecall | staticcall | callcode | create | create2 | selfdestruct
    sender: Any
    recipient: Any
    value: int
    error: str | None
    reverted: bool  # this frame or one of its callers failed: its effects were undone
    raw: dict[str, Any]


@dataclass(slots=True)
class TxTrace:
    """The trace of one transaction: root verdict and nested frames, in pre-order.

    The ``root_*`` fields describe the root frame, i.e. the transaction as executed: with
    geth's callTracer they equal the transaction's sender, value and recipient (the
    created contract for a CREATE) and the receipt's ``gasUsed``, which lets ingest skip
    transaction bodies and receipts (see :mod:`ingest.ethereum.fromtrace`).
    """

    root_ok: bool
    frames: list[Frame] = field(default_factory=list)
    root_from: Any = None
    root_value: int = 0
    root_to: Any = None
    root_type: str = ""
    root_gas_used: int | None = None
