"""The confirmation record of every screening decision, kept as a hash-chained log.

The amended Foreign Exchange Act asks an exchange to be able to show, for each transfer,
that it confirmed the counterparty against the sanctions lists: *what* was checked,
against *which list versions*, *when*, and with *what result*. Each decision is one
entry of the ``screening`` log on the Store (``append_chained``): sequence numbers
without gaps and each entry's SHA-256 over its canonical JSON including the previous
hash, so an edited or deleted record is detectable (:func:`verify`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from txmon.errors import FeedVerificationError
from txmon.store.base import Store
from txmon.wire import dumps, loads

LOG = "screening"


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``entry`` without its own ``hash``."""
    return hashlib.sha256(dumps({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


class ConfirmationLog:
    """Append and read confirmation records."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, record_id: str, body: dict[str, Any]) -> int:
        """Append ``body`` once under ``record_id``; returns its sequence number."""

        def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
            entry = {**body, "id": record_id, "seq": seq, "prev_hash": prev_hash}
            entry["hash"] = entry_hash(entry)
            return dumps(entry), entry["hash"]

        return self._store.append_chained(LOG, record_id, build).seq

    def entries(self, from_seq: int = 1) -> Iterator[dict[str, Any]]:
        for _, raw in self._store.read_log(LOG, from_seq):
            yield loads(raw)


def verify(entries: Iterator[dict[str, Any]]) -> int:
    """Check sequence and hash links; returns the count or raises FeedVerificationError."""
    prev, count = "", 0
    for entry in entries:
        count += 1
        if entry.get("seq") != count:
            raise FeedVerificationError(count, f"sequence {entry.get('seq')} out of order")
        if entry.get("prev_hash") != prev or entry_hash(entry) != entry.get("hash"):
            raise FeedVerificationError(count, "hash chain broken")
        prev = entry["hash"]
    return count
