"""Stored history for retroactive alerts: confirmed transfers, findable by address.

When a list update designates an address, the engine looks back at the flows that
touched it. Layout on the Store (any backend), chosen so that a look-up by address costs
O(transfers of that address) and never scans the keyspace (on Redis ``scan`` is a SCAN
over every key: 0.33 s per address at 300k keys, minutes for a large delta):

* ``hist:t:<transfer id>`` → the transfer's wire JSON: the current state, one body per
  transfer. Confirmed → written; retracted (reorg) → deleted; pending → not recorded.
* set ``hist:<address>`` → the ids of the transfers that touched the address (a SQLite
  table / a Redis SET). A look-up reads the address's set, then the bodies with one
  ``get_many``; an id whose body is gone (retracted) is skipped.

One batch costs one ``add_members`` (one transaction / one script call on Redis) plus one
``put_many``; the addresses of a batch are grouped first, so an address seen by many
transfers of the batch is one set add. Sets are idempotent, so a replayed batch adds
nothing and several engine workers can index the same address concurrently. The index is
written before the bodies, so a crash in between leaves only ids without a body, and
replaying the batch completes it.

Bounded by time, not count: :meth:`TransferHistory.prune` deletes the bodies of transfers
whose block day is before a cut-off, and their ids from the address sets; it scans the
bodies, so run it from a scheduled job (retention in docs/rules.md). Addresses are in one
normal form (:func:`txmon.addresses.key_text`: the tag index's key), so a list's spelling and
ingest's spelling meet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from txmon.addresses import key_text
from txmon.models import Transfer, TransferStatus
from txmon.store.base import Store
from txmon.wire import decode_transfer, encode_transfer

BODY = "hist:t:"
LOG = "hist:"
RETENTION_DAYS = 5 * 366  # suggested: AML record-keeping rules ask for five years


class TransferHistory:
    """Confirmed transfers on a Store, findable by address."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record_many(self, transfers: Iterable[Transfer]) -> int:
        """Record one batch: the last version of each transfer wins; returns bodies written.

        Confirmed → stored, retracted → forgotten, pending → ignored (history holds what
        the chain confirmed).
        """
        latest = {t.id: t for t in transfers if t.status is not TransferStatus.PENDING}
        confirmed = [t for t in latest.values() if t.status is TransferStatus.CONFIRMED]
        retracted = [BODY + i for i, t in latest.items() if t.status is TransferStatus.RETRACTED]
        # Every confirmed transfer is indexed, not only those without a stored body: a set
        # add is idempotent, and reading the bodies back to skip known ones cost one MGET
        # of every body (~600 bytes a transfer) per batch, more than the adds it saved.
        self._index(confirmed)
        items = {BODY + t.id: encode_transfer(t) for t in confirmed}
        if items or retracted:
            self._store.put_many(items, delete=retracted)
        return len(items)

    def _index(self, new: list[Transfer]) -> None:
        """Add ``new`` transfers to the set of each address they touch (before bodies)."""
        by_address: dict[str, list[str]] = {}
        for t in new:
            for address in {key_text(a) for a in t.addresses()}:
                by_address.setdefault(LOG + address, []).append(t.id)
        if by_address:
            self._store.add_members(by_address)

    def find(self, transfer_id: str) -> Transfer | None:
        """The stored transfer with this id (None: never seen, retracted or pruned)."""
        raw = self._store.get(BODY + transfer_id)
        return None if raw is None else decode_transfer(raw)

    def touching(self, addresses: Iterable[str]) -> list[Transfer]:
        """Stored transfers touching any of ``addresses``, in block order."""
        ids: dict[str, None] = {}
        for address in sorted({key_text(a) for a in addresses}):
            ids.update(dict.fromkeys(sorted(self._store.members(LOG + address))))
        found = [decode_transfer(raw) for raw in self._store.get_many(BODY + i for i in ids)
                 if raw is not None]
        return sorted(found, key=lambda t: (t.chain, t.block_number or 0, t.tx_hash, t.index))

    def prune(self, before: dt.date) -> int:
        """Forget transfers whose block day is before ``before``.

        Returns the (address, transfer) pairs forgotten, i.e. the look-up results dropped.
        """
        doomed: list[str] = []
        unindex: dict[str, list[str]] = {}
        for key, raw in self._store.scan(BODY):
            t = decode_transfer(raw)
            if t.block_time is not None and t.block_time.date() < before:
                doomed.append(key)
                for address in {key_text(a) for a in t.addresses()}:
                    unindex.setdefault(LOG + address, []).append(t.id)
        if unindex:
            self._store.remove_members(unindex)
        for start in range(0, len(doomed), 1000):
            self._store.delete(*doomed[start:start + 1000])
        return sum(len(ids) for ids in unindex.values())
