"""The feed publisher is the topic's only writer: foreign messages are refused, forks halt it.

Embedded bus and SQLite store here; tests/integration/faults/test_feed_faults.py repeats
the cases on real Kafka and Redis.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.feed import event_hash, verify_feed
from alerts.publisher import MAC_HEADER, FeedPublisher
from alerts.signing import Keyring, Signer, generate
from alerts.store import AlertStore
from tests.unit.alerts.sample import sample_alerts
from txmon.bus.base import ALERTS, DEADLETTER
from txmon.bus.embedded import EmbeddedBus
from txmon.errors import FeedForkError
from txmon.store.sqlite import SqliteStore
from txmon.wire import dumps, loads

NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


class Feed:
    """One data dir: store, bus, alert store and a feed key."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.store = SqliteStore(tmp / "store.sqlite")
        self.bus = EmbeddedBus(tmp / "bus.sqlite")
        self.alerts = AlertStore(self.store, clock=lambda: NOON)
        generate(tmp / "feed.pem", tmp / "feed.pub.pem")
        self.signer = Signer.from_pem((tmp / "feed.pem").read_bytes())
        self.producer = self.bus.producer()

    def publisher(self) -> FeedPublisher:
        """A fresh publisher, as after a restart."""
        return FeedPublisher(self.alerts, self.bus, self.producer, ALERTS, signer=self.signer,
                             checkpoint_every=2)

    def topic(self) -> list[bytes]:
        return [m.value for m in reversed(list(self.bus.read_back(ALERTS)))]

    def dead_letters(self) -> list[tuple[bytes, str]]:
        return [(m.value, dict(m.headers)["reason"].decode())
                for m in reversed(list(self.bus.read_back(DEADLETTER)))]

    def forge(self, value: bytes) -> None:
        producer = self.bus.producer()
        producer.send(ALERTS, value, key=b"alerts")
        producer.flush()

    def close(self) -> None:
        self.store.close()
        self.bus.close()


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[Feed]:
    setup = Feed(tmp_path)
    yield setup
    setup.close()


def ours(feed: Feed) -> list[dict]:
    """The topic's records that carry the publisher's identity header, in topic order."""
    return [loads(m.value) for m in reversed(list(feed.bus.read_back(ALERTS)))
            if MAC_HEADER in dict(m.headers)]


def test_rounds_end_on_signed_heads_every_n_events(feed: Feed) -> None:
    alerts = sample_alerts(5)
    for alert in alerts[:3]:
        feed.alerts.raise_alert(alert)
    assert feed.publisher().publish_pending() == 3
    for alert in alerts[3:]:
        feed.alerts.raise_alert(alert)
    publisher = feed.publisher()
    assert publisher.publish_pending() == 2 and publisher.publish_pending() == 0
    records = [loads(v) for v in feed.topic()]
    assert [r.get("sequence") or f"cp{r['data']['seq']}" for r in records] == [
        1, 2, "cp2", 3, "cp3", 4, "cp4", 5, "cp5"]
    report = verify_feed(records, Keyring([feed.signer.public_key()]))
    assert report.signed is not None and report.signed.seq == 5 and report.unsigned == 0
    assert all(MAC_HEADER in dict(m.headers) for m in feed.bus.read_back(ALERTS))


@pytest.mark.parametrize("forgery", ["not json", "last+1", "10**9", "replayed copy"])
def test_foreign_message_is_refused_and_hides_no_alert(feed: Feed, forgery: str) -> None:
    alerts = sample_alerts(4)
    for alert in alerts[:2]:
        feed.alerts.raise_alert(alert)
    feed.publisher().publish_pending()
    events = [e for _, e in feed.alerts.events()]
    if forgery == "not json":
        value = b"\x00garbage{"
    elif forgery == "replayed copy":
        value = feed.topic()[0]  # a byte-exact copy of event 1, MAC header missing
    else:
        seq = 3 if forgery == "last+1" else 10**9
        fake = {**events[-1], "id": "forged", "sequence": seq, "prevhash": events[-1]["hash"]}
        fake["hash"] = event_hash(fake)
        value = dumps(fake)
    feed.forge(value)
    for alert in alerts[2:]:
        feed.alerts.raise_alert(alert)
    assert feed.publisher().publish_pending() == 2  # events 3 and 4, behind the forgery
    assert value in feed.topic()
    report = verify_feed(ours(feed), Keyring([feed.signer.public_key()]))
    assert (report.events, report.unsigned) == (4, 0)
    assert report.signed is not None and report.signed.seq == 4
    [(dead, reason)] = feed.dead_letters()
    assert dead == value and reason.startswith("foreign message on the alerts topic")
    feed.publisher().publish_pending()  # a restart refuses it again, dead-letters it once
    assert len(feed.dead_letters()) == 1


def test_replayed_genuine_message_does_not_rewind_the_publisher(feed: Feed) -> None:
    for alert in sample_alerts(3):
        feed.alerts.raise_alert(alert)
    feed.publisher().publish_pending()
    first = next(m for m in reversed(list(feed.bus.read_back(ALERTS))))
    producer = feed.bus.producer()
    producer.send(ALERTS, first.value, key=b"alerts", headers=list(first.headers))
    producer.flush()
    assert feed.publisher().publish_pending() == 0  # not 2: nothing is sent twice
    [(_, reason)] = feed.dead_letters()
    assert "replayed" in reason


def delete_last_events(feed: Feed, count: int) -> None:
    """The store loses its last writes (as Redis without AOF after a crash)."""
    db = sqlite3.connect(feed.tmp / "store.sqlite")
    head = db.execute("SELECT MAX(seq) FROM log_entry WHERE log = 'alerts'").fetchone()[0]
    db.execute("DELETE FROM log_entry WHERE log = 'alerts' AND seq > ?", (head - count,))
    db.execute("DELETE FROM log_key WHERE log = 'alerts' AND seq > ?", (head - count,))
    db.commit()
    db.close()


def test_store_that_lost_published_writes_halts_the_publisher(feed: Feed) -> None:
    alerts = sample_alerts(5)
    for alert in alerts[:4]:
        feed.alerts.raise_alert(alert)
    feed.publisher().publish_pending()
    before = feed.topic()
    delete_last_events(feed, 2)
    with pytest.raises(FeedForkError, match="store ends at 2: the store lost acknowledged"):
        feed.publisher().publish_pending()
    # Re-raised alerts now take sequences 3.. with other content: still a fork, still halted.
    feed.alerts.raise_alert(alerts[4])
    feed.alerts.raise_alert(alerts[2])
    with pytest.raises(FeedForkError):
        feed.publisher().publish_pending()
    assert feed.topic() == before  # nothing published, no sequence re-used


def test_wiped_store_does_not_publish_over_an_existing_feed(feed: Feed, tmp_path: Path) -> None:
    for alert in sample_alerts(2):
        feed.alerts.raise_alert(alert)
    feed.publisher().publish_pending()
    wiped = AlertStore(SqliteStore(tmp_path / "empty.sqlite"))
    publisher = FeedPublisher(wiped, feed.bus, feed.producer, ALERTS)
    with pytest.raises(FeedForkError, match="store was wiped"):
        publisher.publish_pending()


def test_engine_that_does_not_publish_also_refuses_a_store_that_lost_writes(
        feed: Feed) -> None:
    from txmon.app import App
    from txmon.settings import load_settings

    for alert in sample_alerts(3):
        feed.alerts.raise_alert(alert)
    feed.publisher().publish_pending()
    delete_last_events(feed, 1)
    app = App(load_settings(data_dir=feed.tmp))
    try:
        with pytest.raises(FeedForkError, match="store ends at 2"):
            app.engine("g", publish=False)
    finally:
        app.close()


def test_topic_published_before_identities_is_continued_not_repeated(feed: Feed) -> None:
    """An upgraded deployment: the old publisher sent the stored bytes without a header."""
    alerts = sample_alerts(4)
    for alert in alerts[:2]:
        feed.alerts.raise_alert(alert)
    for _, raw in feed.alerts.raw_events():
        feed.forge(raw)  # no txmon-feed-mac header, byte-identical to the store
    for alert in alerts[2:]:
        feed.alerts.raise_alert(alert)
    assert feed.publisher().publish_pending() == 2  # 3 and 4 only: nothing sent twice
    assert [loads(v).get("sequence") for v in feed.topic()] == [1, 2, 3, 4, None]
    assert feed.dead_letters() == []
