"""The ``index`` part of transfer ids (``ethereum:<tx_hash>:<index>``), one range per kind.

A transaction can yield three kinds of transfer, so each kind owns a range of indexes and
no two transfers of one transaction can share an id:

* ``0`` — the top-level transaction (sender → recipient, its ETH value, even 0);
* ``1 … 999_999`` — internal call frames from the trace, ``1 + n`` for the n-th nested
  frame in depth-first pre-order (the order of ``traceAddress``; the root frame is the
  transaction itself and has no index of its own). geth's ``callTracer`` and Parity's
  ``trace_block`` give the same numbering for the same transaction;
* ``1_000_000 + p`` — the ERC-20 ``Transfer`` log at position ``p`` *within the
  transaction's receipt* (0 for its first log).

Why the log's position in the transaction and not its block-wide ``logIndex``: the id must
survive a reorg that re-mines the transaction in another block (alert ids derive from it),
and ``logIndex`` counts the logs of every earlier transaction in the block. The block-wide
``logIndex`` is kept in ``extra["log_index"]``.
"""

from __future__ import annotations

from txmon.errors import BadRecord

NATIVE_INDEX = 0
INTERNAL_BASE = 1
TOKEN_BASE = 1_000_000


def internal_index(ordinal: int) -> int:
    """Index of the ``ordinal``-th (0-based) nested call frame of a transaction."""
    index = INTERNAL_BASE + ordinal
    if index >= TOKEN_BASE:
        raise BadRecord(f"more than {TOKEN_BASE - INTERNAL_BASE} call frames in one transaction")
    return index


def token_index(position: int) -> int:
    """Index of the log at ``position`` (0-based) in its transaction's receipt."""
    return TOKEN_BASE + position
