"""Stored history for retroactive alerts: seen transfers, findable by address.

When a list update designates an address, the engine looks back at the flows that
touched it. One key per (address, transfer) on the Store (any backend):
``hist:a:<address>:<transfer id>`` → the transfer's wire JSON. The body is repeated under
each of its addresses rather than stored once and referenced, because writes are the
hot path (one row per address, one batch write per engine batch) and look-ups are rare.

Bounded by time, not count: :meth:`TransferHistory.prune` drops transfers whose block
day is before a cut-off; it scans the whole history, so run it from a scheduled job
(retention in docs/rules.md). Addresses are keyed in one normal form (EVM hex and bech32
lower-case), the tag index's, so a list's spelling and ingest's spelling meet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from enrich.index import index_key
from txmon.models import Transfer, TransferStatus
from txmon.store.base import Store
from txmon.wire import decode_transfer, encode_transfer

PREFIX = "hist:a:"
RETENTION_DAYS = 5 * 366  # suggested: AML record-keeping rules ask for five years


def history_address(address: str) -> str:
    """The one normal form used in history keys."""
    key = index_key(address)
    return "0x" + key.hex() if isinstance(key, bytes) else key


class TransferHistory:
    """Seen transfers on a Store, findable by address."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record_many(self, transfers: Iterable[Transfer]) -> int:
        """Store confirmed transfers (one atomic write); a retracted one is forgotten."""
        items: dict[str, bytes] = {}
        drop: list[str] = []
        for t in transfers:
            keys = [f"{PREFIX}{history_address(a)}:{t.id}" for a in t.addresses()]
            if t.status is TransferStatus.RETRACTED:
                drop += keys
                continue
            body = encode_transfer(t)
            items.update(dict.fromkeys(keys, body))
        if items or drop:
            self._store.put_many(items, delete=drop)
        return len(items)

    def touching(self, addresses: Iterable[str]) -> list[Transfer]:
        """Stored transfers touching any of ``addresses``, in block order."""
        found: dict[str, Transfer] = {}
        for address in addresses:
            for _, raw in self._store.scan(f"{PREFIX}{history_address(address)}:"):
                t = decode_transfer(raw)
                found.setdefault(t.id, t)
        return sorted(found.values(),
                      key=lambda t: (t.chain, t.block_number or 0, t.tx_hash, t.index))

    def prune(self, before: dt.date) -> int:
        """Forget transfers whose block day is before ``before``; returns keys removed."""
        doomed = [key for key, raw in self._store.scan(PREFIX)
                  if (t := decode_transfer(raw)).block_time is not None
                  and t.block_time.date() < before]
        for start in range(0, len(doomed), 1000):
            self._store.delete(*doomed[start:start + 1000])
        return len(doomed)
