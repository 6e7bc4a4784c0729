"""The verifiable alert feed: CloudEvents JSON, sequence numbers and a hash chain.

Each event carries ``sequence`` (1, 2, 3, … with no gaps), ``prevhash`` (the previous
event's ``hash``) and its own ``hash`` = SHA-256 over the canonical JSON of the event
without ``hash``. A regulator holding the feed can therefore prove that nothing was
removed (a gap in sequence), edited (a hash mismatch) or re-ordered (a broken link),
without trusting the exchange's database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from txmon.errors import FeedVerificationError
from txmon.models import Alert
from txmon.wire import alert_to_wire, dumps, loads

EVENT_TYPE = "io.txmon.alert.v1"
SPEC_VERSION = "1.0"


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``event`` without its own ``hash`` field."""
    body = {k: v for k, v in event.items() if k != "hash"}
    return hashlib.sha256(dumps(body)).hexdigest()


def build_event(alert: Alert, seq: int, prev_hash: str, source: str) -> dict[str, Any]:
    """The CloudEvent for ``alert`` at position ``seq`` linked to ``prev_hash``."""
    event: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "type": EVENT_TYPE,
        "source": source,
        "id": alert.id,
        "subject": alert.transfer_id,
        "datacontenttype": "application/json",
        "sequence": seq,
        "prevhash": prev_hash,
        "data": alert_to_wire(alert),
    }
    event["hash"] = event_hash(event)
    return event


def verify_events(events: Iterable[dict[str, Any]]) -> int:
    """Check a feed from its first event; return how many events were verified.

    Raises FeedVerificationError naming the first bad sequence number. A feed may start
    at a later sequence (an export from a checkpoint) as long as it is contiguous.
    """
    count = 0
    expected_seq: int | None = None
    prev_hash: str | None = None
    for event in events:
        seq = event.get("sequence")
        if not isinstance(seq, int):
            raise FeedVerificationError(expected_seq or 0, "event without integer sequence")
        if expected_seq is not None and seq != expected_seq:
            raise FeedVerificationError(expected_seq, f"gap or re-order: found {seq}")
        if event.get("hash") != event_hash(event):
            raise FeedVerificationError(seq, "hash does not match content (edited)")
        if prev_hash is not None and event.get("prevhash") != prev_hash:
            raise FeedVerificationError(seq, "prevhash does not link to previous event")
        if expected_seq is None and seq == 1 and event.get("prevhash") != "":
            raise FeedVerificationError(seq, "first event must have an empty prevhash")
        prev_hash = event["hash"]
        expected_seq = seq + 1
        count += 1
    return count


def parse_ndjson(lines: Iterable[bytes | str]) -> Iterator[dict[str, Any]]:
    """Events from NDJSON lines (blank lines ignored)."""
    for line in lines:
        if line.strip():
            yield loads(line)
