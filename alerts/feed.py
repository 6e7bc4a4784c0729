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
from dataclasses import dataclass
from typing import Any

from txmon.errors import FeedVerificationError
from txmon.models import Alert
from txmon.wire import alert_to_wire, dumps, loads

EVENT_TYPE = "io.txmon.alert.v1"
RETRACTED_TYPE = "io.txmon.alert.retracted.v1"  # the alert's transfer left the chain (reorg)
REINCLUDED_TYPE = "io.txmon.alert.reincluded.v1"  # ... and was mined again in a new block
DELISTED_TYPE = "io.txmon.alert.delisted.v1"  # a party the alert rests on was delisted
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


def build_lifecycle_event(event_type: str, event_id: str, subject: str, data: dict[str, Any],
                          seq: int, prev_hash: str, source: str) -> dict[str, Any]:
    """A later fact about an alert (``subject`` = its id) on the same chained feed.

    The alert event itself is never rewritten: what happened to it afterwards (retracted
    by a reorg, delisted party) is appended, so every type is sequenced, hashed and
    verified like an alert.
    """
    event: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "type": event_type,
        "source": source,
        "id": event_id,
        "subject": subject,
        "datacontenttype": "application/json",
        "sequence": seq,
        "prevhash": prev_hash,
        "data": data,
    }
    event["hash"] = event_hash(event)
    return event


@dataclass(frozen=True, slots=True)
class FeedHead:
    """Where a feed ends: its last sequence number and that event's hash."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> FeedHead:
        """``SEQ:HASH`` as printed by ``txmon alerts export``."""
        seq, _, digest = text.partition(":")
        if not seq.isdigit() or not digest:
            raise ValueError(f"expected SEQ:HASH, got {text!r}")
        return cls(int(seq), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def verify_events(events: Iterable[dict[str, Any]], start_seq: int = 1,
                  start_prevhash: str = "", expect_head: FeedHead | None = None) -> int:
    """Check a feed; return how many events were verified.

    The chain is anchored at both ends, or removing events there would go unnoticed: it
    must start at ``start_seq`` linked to ``start_prevhash`` (1 and "" for a whole feed;
    an export from a checkpoint gives both), and when ``expect_head`` is known (from the
    topic tail or a head the exchange publishes) it must end there. Raises
    FeedVerificationError naming the first bad sequence number.
    """
    count = 0
    expected_seq = start_seq
    prev_hash = start_prevhash
    for event in events:
        seq = event.get("sequence")
        if not isinstance(seq, int):
            raise FeedVerificationError(expected_seq, "event without integer sequence")
        if seq != expected_seq:
            raise FeedVerificationError(expected_seq, f"gap or re-order: found {seq}")
        if event.get("hash") != event_hash(event):
            raise FeedVerificationError(seq, "hash does not match content (edited)")
        if event.get("prevhash") != prev_hash:
            raise FeedVerificationError(seq, "prevhash does not link to previous event")
        prev_hash = event["hash"]
        expected_seq = seq + 1
        count += 1
    if expect_head is not None and (expected_seq - 1, prev_hash) != (
            expect_head.seq, expect_head.hash if expect_head.seq else ""):
        raise FeedVerificationError(expected_seq, f"feed ends before or apart from the expected "
                                    f"head {expect_head} (events removed at the end?)")
    return count


def parse_ndjson(lines: Iterable[bytes | str]) -> Iterator[dict[str, Any]]:
    """Events from NDJSON lines (blank lines ignored)."""
    for line in lines:
        if line.strip():
            yield loads(line)
