"""The confirmation record of every screening decision, kept as a hash-chained log.

The amended Foreign Exchange Act asks an exchange to be able to show, for each transfer,
that it confirmed the counterparty against the sanctions lists (確認記録): *who* asked
(``requested_by``: the API token's name, the CLI user, a txmon worker), *what* was
checked (address, names, the transfer or withdrawal when given), against *which list
versions*, *when*, and with *what result* and why (the reasons). Each decision is one
entry of the ``screening`` log on the Store (``append_chained``): sequence numbers
without gaps and each entry's SHA-256 over its canonical JSON including the previous
hash, so an edited or deleted record is detectable (:func:`verify`).

Records are kept ``confirmation_retention_years`` (10 by default, txmon/settings.py).
:meth:`ConfirmationLog.prune` deletes only a prefix of records older than that, and
leaves an *anchor* (seq and hash of the last deleted record, when, by whom): verification
then starts at the anchor, so the remaining chain still proves nothing was edited, and
the anchor says what was removed lawfully.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from txmon.errors import FeedVerificationError, TxmonError
from txmon.store.base import Store
from txmon.wire import dumps, entry_hash, loads

LOG = "screening"
ANCHOR = "screening:pruned"  # the last pruned record's seq and hash (absent: none pruned)
DECISIONS = ("allow", "review", "block")


class RetentionError(TxmonError):
    """A prune that would delete records younger than the retention period."""


def _builder(record_id: str, body: dict[str, Any]) -> Any:
    """The entry builder of one record: its hash covers the previous one's."""

    def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
        entry = {**body, "id": record_id, "seq": seq, "prev_hash": prev_hash}
        entry["hash"] = entry_hash(entry)
        return dumps(entry), entry["hash"]

    return build


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    """The first day whose records must still be kept (29 Feb → 28 Feb when needed)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


class ConfirmationLog:
    """Append, read, select and prune confirmation records."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, record_id: str, body: dict[str, Any]) -> int:
        """Append ``body`` once under ``record_id``; returns its sequence number."""
        return self._store.append_chained(LOG, record_id, _builder(record_id, body)).seq

    def record_many(self, items: list[tuple[str, dict[str, Any]]]) -> list[int]:
        """Append each ``(record_id, body)`` once, in order, committed together where the
        store can (a batch's group commit); returns their sequence numbers."""
        if len(items) == 1:
            return [self.record(*items[0])]
        results = self._store.append_chained_many(
            LOG, [(rid, _builder(rid, body)) for rid, body in items])
        return [r.seq for r in results]

    def anchor(self) -> dict[str, Any] | None:
        raw = self._store.get(ANCHOR)
        return None if raw is None else loads(raw)

    def entries(self, from_seq: int = 1) -> Iterator[dict[str, Any]]:
        anchor = self.anchor()
        start = max(from_seq, anchor["seq"] + 1 if anchor else 1)
        for _, raw in self._store.read_log(LOG, start):
            yield loads(raw)

    def select(self, from_seq: int = 1, since: dt.date | None = None,
               until: dt.date | None = None, decision: str | None = None
               ) -> Iterator[dict[str, Any]]:
        """Records from ``from_seq`` on, made on ``since``..``until`` (UTC days, inclusive)
        with ``decision``; a scan of the log (an operator's query, not a hot path)."""
        low = since.isoformat() if since else ""
        for entry in self.entries(from_seq):
            day = str(entry.get("at", ""))[:10]
            if day < low:
                continue
            if until is not None and day > until.isoformat():
                break  # records are appended in time order
            if decision is None or entry.get("decision") == decision:
                yield entry

    def prune(self, before: dt.date, today: dt.date, years: int, by: str) -> int:
        """Delete the records made before ``before``; refuses a ``before`` later than
        the retention cut-off (records younger than ``years`` stay). Returns how many."""
        cutoff = retention_cutoff(today, years)
        if before > cutoff:
            raise RetentionError(f"refusing to prune records made on or after {cutoff}: "
                                 f"they are younger than the {years}-year retention "
                                 f"(--before {before} asks for that)")
        head = self._store.log_head(LOG).seq
        last: dict[str, Any] | None = None
        for entry in self.entries():
            if str(entry.get("at", ""))[:10] >= before.isoformat() or entry["seq"] >= head:
                break  # the newest record always stays: the chain's head links to it
            last = entry
        if last is None:
            return 0
        previous = self.anchor()
        anchor = {"seq": last["seq"], "hash": last["hash"], "before": before.isoformat(),
                  "pruned_at": today.isoformat(), "by": by, "retention_years": years,
                  "pruned": last["seq"] - (previous["seq"] if previous else 0)}
        self._store.put(ANCHOR, dumps(anchor))  # first: a crash midway leaves a valid start
        self._store.trim_log(LOG, last["seq"])
        return int(anchor["pruned"])


def verify(entries: Iterator[dict[str, Any]], anchor: dict[str, Any] | None = None) -> int:
    """Check sequence and hash links (from ``anchor`` when records were pruned); returns
    the count of records checked or raises FeedVerificationError."""
    prev, seq = (anchor["hash"], anchor["seq"]) if anchor else ("", 0)
    count = 0
    for entry in entries:
        count += 1
        seq += 1
        if entry.get("seq") != seq:
            raise FeedVerificationError(seq, f"sequence {entry.get('seq')} out of order")
        if entry.get("prev_hash") != prev or entry_hash(entry) != entry.get("hash"):
            raise FeedVerificationError(seq, "hash chain broken")
        prev = entry["hash"]
    return count
