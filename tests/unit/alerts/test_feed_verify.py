"""The exported feed proves itself: a gap, an edit, a removal or a re-order names its seq."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.feed import FeedHead, verify_events
from alerts.store import AlertStore
from tests.unit.alerts.sample import sample_alerts
from txmon.errors import FeedVerificationError
from txmon.store.sqlite import SqliteStore


@pytest.fixture
def feed(tmp_path: Path) -> list[dict[str, object]]:
    store = SqliteStore(tmp_path / "s.db")
    alerts = AlertStore(store)
    for alert in sample_alerts(5):
        assert alerts.raise_alert(alert).created
    assert not alerts.raise_alert(sample_alerts(1)[0]).created  # raising twice: no-op
    events = [event for _, event in alerts.events()]
    store.close()
    return events


def test_intact_feed_verifies(feed: list[dict[str, object]]) -> None:
    assert verify_events(feed) == 5
    assert [e["sequence"] for e in feed] == [1, 2, 3, 4, 5]


def test_removed_event_names_first_missing_seq(feed: list[dict[str, object]]) -> None:
    with pytest.raises(FeedVerificationError) as err:
        verify_events(feed[:2] + feed[3:])
    assert err.value.seq == 3


def test_edited_event_names_its_seq(feed: list[dict[str, object]]) -> None:
    edited = [dict(e) for e in feed]
    data = dict(edited[3]["data"])  # type: ignore[arg-type]
    data["severity"] = "low"
    edited[3]["data"] = data
    with pytest.raises(FeedVerificationError) as err:
        verify_events(edited)
    assert err.value.seq == 4 and "edited" in str(err.value)


def test_reordered_events_name_first_bad_seq(feed: list[dict[str, object]]) -> None:
    with pytest.raises(FeedVerificationError) as err:
        verify_events([feed[0], feed[2], feed[1], feed[3], feed[4]])
    assert err.value.seq == 2


def test_removed_and_renumbered_breaks_the_link(feed: list[dict[str, object]]) -> None:
    """Removing seq 2 and renumbering the rest (rehashing them) still breaks prevhash."""
    from alerts.feed import event_hash

    forged = [dict(feed[0])]
    for n, event in enumerate(feed[2:], start=2):
        copy = dict(event)
        copy["sequence"] = n
        copy["hash"] = event_hash(copy)
        forged.append(copy)
    with pytest.raises(FeedVerificationError) as err:
        verify_events(forged)
    assert err.value.seq == 2 and "prevhash" in str(err.value)


def test_events_removed_at_the_start_are_detected(feed: list[dict[str, object]]) -> None:
    with pytest.raises(FeedVerificationError) as err:
        verify_events(feed[1:])
    assert err.value.seq == 1


def test_events_removed_at_the_end_are_detected_with_the_head(
        feed: list[dict[str, object]]) -> None:
    head = FeedHead(5, str(feed[-1]["hash"]))
    assert verify_events(feed, expect_head=head) == 5
    with pytest.raises(FeedVerificationError, match="expected head"):
        verify_events(feed[:-2], expect_head=head)
    with pytest.raises(FeedVerificationError):
        verify_events([], expect_head=head)


def test_export_from_a_checkpoint_verifies_when_anchored(feed: list[dict[str, object]]) -> None:
    tail = feed[2:]
    assert verify_events(tail, start_seq=3, start_prevhash=str(feed[1]["hash"])) == 3
    with pytest.raises(FeedVerificationError):
        verify_events(tail, start_seq=3, start_prevhash="0" * 64)
