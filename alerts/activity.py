"""One global, hash-chained log of every change made to alerts: status, assignee, case.

Each alert's own trail (``alert-status:<id>``, alerts/workflow.py) is the evidence; this
log is the *index* of those changes across all alerts, so that a queue of 100,000 alerts
can be filtered by status or assignee by tailing one log instead of reading 100,000
trails on every page (alerts/queue.py). It is written by the same calls that write the
trails (the CLI's ``txmon alerts status`` as well as the console), so every reader sees
one state. Entries are never edited; the latest entry per alert and field wins.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

from txmon.store.base import Store
from txmon.wire import dumps, loads

ACTIVITY_LOG = "alert-activity"


def record(store: Store, alert_id: str, field: str, value: str, by: str, at: str) -> None:
    """Append ``alert_id``'s new ``field`` (status | assignee | case) value."""
    entry = {"alert_id": alert_id, "field": field, "value": value, "by": by, "at": at}

    def build(seq: int, prev_hash: str) -> tuple[bytes, str]:
        body = dumps({**entry, "seq": seq, "prevhash": prev_hash})
        return body, hashlib.sha256(body).hexdigest()

    store.append_chained(ACTIVITY_LOG, uuid.uuid4().hex, build)


def read(store: Store, from_seq: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
    """Entries from ``from_seq`` on, oldest first."""
    for seq, raw in store.read_log(ACTIVITY_LOG, from_seq):
        yield seq, loads(raw)
