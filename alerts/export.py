"""The feed as exported: stored events in order, each signed head after the event it signs,
and (with a feed key) a fresh signed head at the end, so the whole export is provable.

One generator for ``txmon alerts export`` and the console's regulator download, so both
give a regulator the same bytes to run ``txmon alerts verify`` on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from alerts.feed import FeedHead
from alerts.signing import Signer
from alerts.store import AlertStore
from txmon.wire import dumps, loads


@dataclass
class ExportHead:
    """Filled in while exporting: what ``verify`` needs to anchor the file."""

    count: int = 0
    prevhash: str = ""
    head: FeedHead | None = None


def export_lines(store: AlertStore, signer: Signer | None, from_seq: int = 1,
                 made: ExportHead | None = None) -> Iterator[bytes]:
    """NDJSON lines (with their newline) of the feed from ``from_seq``."""
    made = made if made is not None else ExportHead()
    signed: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in store.checkpoints():
        signed[int(record["data"]["seq"])].append(record)
    for record in signed.get(from_seq - 1, []):  # anchors a partial export's start
        yield dumps(record) + b"\n"
    made.head = FeedHead(from_seq - 1, "")
    for seq, raw in store.raw_events(from_seq):
        yield raw + b"\n"
        event = loads(raw)
        if made.count == 0:
            made.prevhash = event["prevhash"]
        made.head = FeedHead(seq, event["hash"])
        made.count += 1
        for record in signed.get(seq, []):
            yield dumps(record) + b"\n"
    head = made.head
    if signer is not None and head.seq > 0 and not any(
            r["data"]["kid"] == signer.kid for r in signed.get(head.seq, [])):
        yield dumps(store.sign_head(signer, head.seq, head.hash)) + b"\n"
