"""Signed heads make the feed the exchange's word: forgeries that recompute the chain fail.

The feed is five real alerts (tests/unit/alerts/sample.py) with heads signed at 3 by an
old key and at 5 by a rotated key, exactly as ``txmon alerts export`` writes it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from alerts.feed import CHECKPOINT_TYPE, event_hash, is_checkpoint, verify_feed
from alerts.signing import Keyring, Signer, generate, key_id
from alerts.store import AlertStore
from tests.unit.alerts.sample import sample_alerts
from txmon.errors import FeedVerificationError
from txmon.store.sqlite import SqliteStore

NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
Feed = list[dict[str, Any]]


def keypair(tmp_path: Path, name: str) -> tuple[Signer, Path]:
    private, public = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub.pem"
    generate(private, public)
    return Signer.from_pem(private.read_bytes()), public


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, tuple[Signer, Path]]:
    return {name: keypair(tmp_path, name) for name in ("old", "new", "stranger")}


@pytest.fixture
def feed(tmp_path: Path, keys: dict[str, tuple[Signer, Path]]) -> Feed:
    store = SqliteStore(tmp_path / "s.db")
    alerts = AlertStore(store, clock=lambda: NOON)
    for alert in sample_alerts(5):
        alerts.raise_alert(alert)
    events = [e for _, e in alerts.events()]
    old, new = keys["old"][0], keys["new"][0]
    at3 = alerts.sign_head(old, 3, events[2]["hash"])
    at5 = alerts.sign_head(new, 5, events[4]["hash"])
    assert alerts.sign_head(new, 5, events[4]["hash"]) == at5  # signed once, then kept
    store.close()
    return [*events[:3], at3, *events[3:], at5]


def ring(keys: dict[str, tuple[Signer, Path]], *names: str) -> Keyring:
    return Keyring.load([keys[n][1] for n in names])


def events_of(feed: Feed) -> Feed:
    return [dict(r) for r in feed if not is_checkpoint(r)]


def rechain(events: Feed) -> Feed:
    """What a forger does: renumber from 1, relink and rehash every event."""
    prev = ""
    out = []
    for n, event in enumerate(events, start=1):
        copy = {**event, "sequence": n, "prevhash": prev}
        copy["hash"] = event_hash(copy)
        prev = copy["hash"]
        out.append(copy)
    return out


def test_events_carry_rfc3339_time_inside_the_hash(feed: Feed) -> None:
    event = feed[0]
    assert event["time"] == "2026-12-04T12:00:00.000Z"
    assert event_hash({**event, "time": "2026-12-04T12:00:01.000Z"}) != event["hash"]


def test_untouched_feed_with_rotated_keys_is_proven(feed: Feed, keys: dict) -> None:
    report = verify_feed(feed, ring(keys, "old", "new"))
    assert (report.events, report.checkpoints, report.unsigned) == (5, 2, 0)
    assert report.signed is not None and report.signed.seq == 5
    assert report.kids == {keys["old"][0].kid, keys["new"][0].kid}


def test_key_id_is_the_sha256_prefix_of_the_raw_public_key(keys: dict) -> None:
    signer = keys["old"][0]
    assert key_id(signer.public_key()) == signer.kid and len(signer.kid) == 16
    assert signer.kid not in repr(Keyring()) and "PRIVATE" not in repr(signer)


def test_rewritten_chain_is_rejected(feed: Feed, keys: dict) -> None:
    events = events_of(feed)
    events[1]["data"] = {**events[1]["data"], "amount": "1"}
    forged = rechain(events)
    assert verify_feed(forged).events == 5  # the chain alone cannot tell
    with_heads = [*forged[:3], feed[3], *forged[3:], feed[-1]]
    with pytest.raises(FeedVerificationError, match="rewritten"):
        verify_feed(with_heads, ring(keys, "old", "new"))
    # Dropping the heads proves nothing: every event is reported unsigned.
    assert verify_feed(forged, ring(keys, "old", "new")).unsigned == 5


def test_deletion_and_renumbering_is_rejected(feed: Feed, keys: dict) -> None:
    events = events_of(feed)
    forged = rechain([events[0], *events[2:]])
    with pytest.raises(FeedVerificationError, match="rewritten"):
        verify_feed([*forged[:3], feed[3], *forged[3:], feed[-1]], ring(keys, "old", "new"))


def test_event_appended_after_the_last_head_is_unsigned(feed: Feed, keys: dict) -> None:
    last = events_of(feed)[-1]
    extra = {**last, "id": "f" * 64, "sequence": 6, "prevhash": last["hash"]}
    extra["hash"] = event_hash(extra)
    report = verify_feed([*feed, extra], ring(keys, "old", "new"))
    assert report.signed is not None and report.signed.seq == 5 and report.unsigned == 1


def test_truncated_tail_falls_short_of_a_signed_head(feed: Feed, keys: dict) -> None:
    truncated = [r for r in feed if is_checkpoint(r) or r["sequence"] <= 3]
    with pytest.raises(FeedVerificationError, match="truncated tail"):
        verify_feed(truncated, ring(keys, "old", "new"))
    # Cut exactly at an older head: only a head the regulator kept from earlier catches it.
    older = feed[:4]
    assert verify_feed(older, ring(keys, "old")).signed.seq == 3  # type: ignore[union-attr]
    with pytest.raises(FeedVerificationError, match="truncated tail"):
        verify_feed(older, ring(keys, "old", "new"), heads=[feed[-1]])


def test_altered_signature_is_rejected(feed: Feed, keys: dict) -> None:
    head = feed[-1]
    sig = head["data"]["signature"]
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    altered = {**head, "data": {**head["data"], "signature": flipped}}
    with pytest.raises(FeedVerificationError, match="does not verify"):
        verify_feed([*feed[:-1], altered], ring(keys, "old", "new"))
    moved = {**head, "data": {**head["data"], "time": "2030-01-01T00:00:00.000Z"}}
    with pytest.raises(FeedVerificationError, match="does not verify"):
        verify_feed([*feed[:-1], moved], ring(keys, "old", "new"))


def test_head_signed_by_an_unknown_key_is_rejected(feed: Feed, keys: dict) -> None:
    stranger = keys["stranger"][0]
    last = events_of(feed)[-1]
    from alerts.feed import build_checkpoint

    forged = build_checkpoint(stranger, last["source"], 5, last["hash"])
    assert forged["type"] == CHECKPOINT_TYPE
    with pytest.raises(FeedVerificationError, match="unknown key"):
        verify_feed([*feed, forged], ring(keys, "old", "new"))
    with pytest.raises(FeedVerificationError, match="unknown key"):  # rotation needs both
        verify_feed(feed, ring(keys, "new"))
