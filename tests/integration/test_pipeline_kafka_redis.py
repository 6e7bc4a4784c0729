"""Foundation acceptance on the real services: Kafka bus, Redis store.

A transfer published to Kafka is consumed by the engine, enriched from the tag store in
Redis (seeded from seeds/ by the same code the product runs), and its alert appears on
the alerts topic exactly once. Then the engine is "killed" after the alert is stored but
before its offset is committed; a restarted engine still leaves exactly one alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.feed import verify_events
from tests.pipeline_scenario import TEN_ETH, TORNADO_PROXY, scenario
from txmon.app import App
from txmon.bus.base import ALERTS, DEADLETTER, TAG_UPDATES, TRANSFERS
from txmon.bus.kafka import KafkaBus
from txmon.settings import load_settings
from txmon.wire import encode_transfer, loads

pytestmark = pytest.mark.integration


@pytest.fixture
def app(kafka_url: str, redis_url: str, namespace: str, tmp_path: Path,
        redis_cleanup: None) -> Iterator[App]:
    settings = load_settings(bus=kafka_url, store=redis_url, namespace=namespace,
                             data_dir=tmp_path)
    application = App(settings)
    bus = application.bus
    assert isinstance(bus, KafkaBus)
    bus.ensure_topics([application.topic(t) for t in (TRANSFERS, ALERTS, DEADLETTER,
                                                       TAG_UPDATES)])
    yield application
    application.close()


def alert_events(app: App) -> list[dict]:
    consumer = app.bus.consumer([app.topic(ALERTS)], f"{app.settings.namespace}-inspect")
    events: list[dict] = []
    for _ in range(10):
        events += [loads(m.value) for m in consumer.poll(timeout=1.0)]
    consumer.close()
    return events


def publish_scenario(app: App) -> None:
    producer = app.producer()
    for transfer in scenario():
        producer.send(app.topic(TRANSFERS), encode_transfer(transfer), key=b"ethereum")
    producer.flush()


class Killed(Exception):
    """Stands for SIGKILL at the chosen point of the batch."""


def test_alert_from_kafka_and_redis_appears_once(app: App) -> None:
    publish_scenario(app)
    stats = app.engine("g1").run(idle_exit=3.0)
    assert stats.transfers == 2
    [alert] = stats.new_alerts
    assert alert.addresses == (TORNADO_PROXY,) and alert.amount == TEN_ETH
    tags = alert.evidence["matches"][0]["tags"]
    assert any(t["source"].startswith("ofac") and t["kind"] == "sanction" for t in tags)
    events = alert_events(app)
    assert [e["id"] for e in events] == [alert.id]
    assert verify_events(events) == 1


def test_kill_after_store_before_commit_leaves_exactly_one_alert(app: App) -> None:
    publish_scenario(app)
    first = app.engine("g2")

    def killed(*_: object) -> None:
        raise Killed

    first._consumer.commit = killed  # type: ignore[method-assign]
    batch: list = []
    for _ in range(20):
        batch += first._consumer.poll(timeout=1.0)
        if len(batch) >= 2:
            break
    with pytest.raises(Killed):
        first.process_batch(batch)
    assert app.alert_store.count() == 1
    first._consumer.close()  # the dead process leaves the group without committing

    restarted = App(app.settings)
    try:
        stats = restarted.engine("g2").run(idle_exit=3.0)
        assert stats.transfers == 2 and stats.alerts_seen == 1 and stats.new_alerts == []
    finally:
        restarted.close()
    events = alert_events(app)
    assert len(events) == 1 and verify_events(events) == 1
    assert events[0]["data"]["as_of"] == dt.date(2023, 1, 10).isoformat()
