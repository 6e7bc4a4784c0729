"""The verifiable alert feed: CloudEvents JSON, sequence numbers, a hash chain, signed heads.

Each event carries ``sequence`` (1, 2, 3, … with no gaps), ``prevhash`` (the previous
event's ``hash``), ``time`` (RFC 3339 UTC, when it was stored) and its own ``hash`` =
SHA-256 over the canonical JSON of the event without ``hash``. The chain alone proves that
nothing was removed (a gap), edited (a hash mismatch) or re-ordered (a broken link) —
relative to a head the verifier trusts. Whoever can rewrite the whole chain can recompute
every hash, so the exchange signs heads: a checkpoint record (type
``io.txmon.feed.checkpoint.v1``, no sequence of its own) states "the feed of SOURCE ended at
SEQ:HASH at TIME" under the exchange's Ed25519 key (alerts/signing.py). With the exchange's
public key a regulator can then prove origin, order, no edit and completeness up to the last
signed head, without trusting the exchange's database; what follows that head is reported
as unsigned.

Verification is type-agnostic: every record that is not a checkpoint is a chained event,
whatever its ``type`` (alerts, retractions, delistings, …).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from alerts.signing import Keyring, Signer, statement
from txmon.errors import FeedVerificationError
from txmon.models import Alert
from txmon.wire import alert_to_wire, dumps, loads

EVENT_TYPE = "io.txmon.alert.v1"
RETRACTED_TYPE = "io.txmon.alert.retracted.v1"  # the alert's transfer left the chain (reorg)
REINCLUDED_TYPE = "io.txmon.alert.reincluded.v1"  # ... and was mined again in a new block
DELISTED_TYPE = "io.txmon.alert.delisted.v1"  # a party the alert rests on was delisted
CHECKPOINT_TYPE = "io.txmon.feed.checkpoint.v1"
SPEC_VERSION = "1.0"


def rfc3339_now(clock: dt.datetime | None = None) -> str:
    """``2026-12-04T03:10:45.123Z``: CloudEvents ``time`` (RFC 3339, UTC, milliseconds)."""
    now = (clock or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``event`` without its own ``hash`` field."""
    body = {k: v for k, v in event.items() if k != "hash"}
    return hashlib.sha256(dumps(body)).hexdigest()


def build_record(*, type: str, id: str, subject: str, data: dict[str, Any],
                 seq: int, prev_hash: str, source: str, time: str) -> dict[str, Any]:
    """A chained feed event of any ``type`` (alerts, retractions, …), hash included."""
    event: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "type": type,
        "source": source,
        "id": id,
        "subject": subject,
        "time": time,
        "datacontenttype": "application/json",
        "sequence": seq,
        "prevhash": prev_hash,
        "data": data,
    }
    event["hash"] = event_hash(event)
    return event


def build_lifecycle_event(event_type: str, event_id: str, subject: str, data: dict[str, Any],
                          seq: int, prev_hash: str, source: str, *,
                          time: str | None = None) -> dict[str, Any]:
    """A later fact about an alert (``subject`` = its id) on the same chained feed.

    The alert event itself is never rewritten: what happened to it afterwards (retracted
    by a reorg, delisted party) is appended, so every type is sequenced, hashed, signed and
    verified like an alert.
    """
    return build_record(type=event_type, id=event_id, subject=subject, data=data, seq=seq,
                        prev_hash=prev_hash, source=source, time=time or rfc3339_now())


def build_event(alert: Alert, seq: int, prev_hash: str, source: str, *,
                time: str | None = None, type: str = EVENT_TYPE) -> dict[str, Any]:
    """The CloudEvent for ``alert`` at position ``seq`` linked to ``prev_hash``."""
    return build_record(type=type, id=alert.id, subject=alert.transfer_id,
                        data=alert_to_wire(alert), seq=seq, prev_hash=prev_hash,
                        source=source, time=time or rfc3339_now())


def build_checkpoint(signer: Signer, source: str, seq: int, digest: str,
                     time: str | None = None) -> dict[str, Any]:
    """A signed head for ``seq:digest`` of the feed of ``source`` (a record, not chained)."""
    at = time or rfc3339_now()
    head = {"source": source, "seq": seq, "hash": digest, "time": at, "kid": signer.kid}
    head["signature"] = signer.sign(statement(source, seq, digest, at, signer.kid))
    return {"specversion": SPEC_VERSION, "type": CHECKPOINT_TYPE, "source": source,
            "id": f"{signer.kid}:{seq}", "subject": str(seq), "time": at,
            "datacontenttype": "application/json", "data": head}


def is_checkpoint(record: dict[str, Any]) -> bool:
    return record.get("type") == CHECKPOINT_TYPE


def check_checkpoint(record: dict[str, Any], keyring: Keyring) -> str | None:
    """None when the checkpoint is well-formed and signed by a trusted key; else why not."""
    head = record.get("data")
    if not isinstance(head, dict):
        return "checkpoint without data"
    try:
        message = statement(str(head["source"]), int(head["seq"]), str(head["hash"]),
                            str(head["time"]), str(head["kid"]))
        signature = str(head["signature"])
    except (KeyError, TypeError, ValueError):
        return "checkpoint misses source, seq, hash, time, kid or signature"
    if head["source"] != record.get("source"):
        return "checkpoint's signed source differs from the record's source"
    return keyring.verify(str(head["kid"]), message, signature)


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


@dataclass
class FeedReport:
    """What a verification proved."""

    events: int = 0
    head: FeedHead = field(default_factory=lambda: FeedHead(0, ""))
    checkpoints: int = 0
    signed: FeedHead | None = None  # the last signed head (None: nothing signed)
    kids: set[str] = field(default_factory=set)

    @property
    def unsigned(self) -> int:
        """Events after the last signed head (all of them when nothing is signed)."""
        if self.signed is None:
            return self.events
        return self.head.seq - self.signed.seq


def verify_feed(records: Iterable[dict[str, Any]], keyring: Keyring | None = None,
                start_seq: int = 1, start_prevhash: str = "",
                expect_head: FeedHead | None = None,
                heads: Iterable[dict[str, Any]] = ()) -> FeedReport:
    """Check a feed's chain and, with a keyring, its signed heads; return what was proved.

    The chain is anchored at both ends, or removing events there would go unnoticed: it
    must start at ``start_seq`` linked to ``start_prevhash`` (1 and "" for a whole feed;
    an export from a checkpoint gives both), and it must reach ``expect_head`` and every
    signed head — those in the feed and the detached ``heads`` the verifier kept from
    earlier (a truncated tail falls short of them). Without a keyring checkpoints are
    skipped unverified. Raises FeedVerificationError naming the first bad sequence.
    """
    report = FeedReport()
    expected_seq = start_seq
    prev_hash = start_prevhash
    hashes: dict[int, tuple[str, Any]] = {start_seq - 1: (start_prevhash, None)}
    signed: list[dict[str, Any]] = []
    for record in records:
        if is_checkpoint(record):
            if keyring is not None:
                _check_signature(record, keyring, expected_seq)
                signed.append(record)
            continue
        seq = record.get("sequence")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise FeedVerificationError(expected_seq, "event without integer sequence")
        if seq != expected_seq:
            raise FeedVerificationError(expected_seq, f"gap or re-order: found {seq}")
        if record.get("hash") != event_hash(record):
            raise FeedVerificationError(seq, "hash does not match content (edited)")
        if record.get("prevhash") != prev_hash:
            raise FeedVerificationError(seq, "prevhash does not link to previous event")
        prev_hash = record["hash"]
        hashes[seq] = (prev_hash, record.get("source"))
        expected_seq = seq + 1
        report.events += 1
    report.head = FeedHead(expected_seq - 1, prev_hash)
    if keyring is not None:
        for record in heads:
            _check_signature(record, keyring, expected_seq)
            signed.append(record)
        for record in signed:
            _check_head(record, hashes, report)
    if expect_head is not None and (report.head.seq, prev_hash) != (
            expect_head.seq, expect_head.hash if expect_head.seq else ""):
        raise FeedVerificationError(expected_seq, f"feed ends before or apart from the expected "
                                    f"head {expect_head} (events removed at the end?)")
    return report


def _check_signature(record: dict[str, Any], keyring: Keyring, at: int) -> None:
    problem = check_checkpoint(record, keyring)
    if problem is not None:
        raise FeedVerificationError(at, f"checkpoint {record.get('id')}: {problem}")


def _check_head(record: dict[str, Any], hashes: dict[int, tuple[str, Any]],
                report: FeedReport) -> None:
    """A verified signature must also name a head this feed really has."""
    head = record["data"]
    seq = int(head["seq"])
    if seq > report.head.seq:
        raise FeedVerificationError(report.head.seq + 1, f"feed ends at {report.head.seq}, "
                                    f"before the signed head {seq} (truncated tail)")
    if seq not in hashes:
        return  # a head before this partial export's start: nothing to compare with
    digest, source = hashes[seq]
    if head["hash"] != digest:
        raise FeedVerificationError(seq, f"the chain differs from the head signed by key "
                                    f"{head['kid']} (rewritten)")
    if source is not None and head["source"] != source:
        raise FeedVerificationError(seq, f"signed head is for source {head['source']!r}, the "
                                    f"event's source is {source!r}")
    report.checkpoints += 1
    report.kids.add(str(head["kid"]))
    if report.signed is None or seq >= report.signed.seq:
        report.signed = FeedHead(seq, digest)


def verify_events(events: Iterable[dict[str, Any]], start_seq: int = 1,
                  start_prevhash: str = "", expect_head: FeedHead | None = None) -> int:
    """Check the chain only (checkpoints skipped); return how many events were verified."""
    return verify_feed(events, None, start_seq, start_prevhash, expect_head).events


def parse_ndjson(lines: Iterable[bytes | str]) -> Iterator[dict[str, Any]]:
    """Records from NDJSON lines (blank lines ignored)."""
    for line in lines:
        if line.strip():
            yield loads(line)
