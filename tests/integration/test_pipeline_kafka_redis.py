"""Foundation acceptance on the real services: Kafka bus, Redis store.

A transfer published to Kafka is consumed by the engine, enriched from the tag store in
Redis (seeded from seeds/ by the same code the product runs), and its alert appears on
the alerts topic exactly once. Then the engine is "killed" after the alert is stored but
before its offset is committed; a restarted engine still leaves exactly one alert.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from alerts.feed import verify_events
from tests.pipeline_scenario import TEN_ETH, TORNADO_PROXY, scenario
from txmon.app import App
from txmon.bus.base import ALERTS, TRANSFERS
from txmon.wire import encode_transfer, loads

pytestmark = pytest.mark.integration


@pytest.fixture
def app(live_app: App) -> App:
    return live_app


def alert_events(app: App) -> list[dict]:
    consumer = app.bus.consumer([app.topic(ALERTS)], f"{app.settings.namespace}-inspect")
    events: list[dict] = []
    quiet = 0
    for _ in range(15):  # until two empty polls after the first event (a duplicate would show)
        batch = [loads(m.value) for m in consumer.poll(timeout=1.0)]
        events += batch
        quiet = 0 if batch or not events else quiet + 1
        if quiet == 2:
            break
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


def test_sigkilled_engine_process_restarts_without_duplicate(app: App, tmp_path: Path) -> None:
    """A real `txmon engine` process is SIGKILLed as soon as its alert is stored."""
    import os
    import signal
    import subprocess
    import sys
    import time

    publish_scenario(app)
    settings = app.settings
    env = {**os.environ, "TXMON_BUS": settings.bus or "", "TXMON_STORE": settings.store or "",
           "TXMON_NAMESPACE": settings.namespace, "TXMON_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "txmon", "engine", "--group", "g3"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while app.alert_store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert app.alert_store.count() == 1

    again = subprocess.run([*command, "--idle-exit", "3"], env=env, capture_output=True,
                           timeout=120, check=True)
    assert b"0 new alerts" in again.stderr
    assert app.alert_store.count() == 1
    events = alert_events(app)
    assert len(events) == 1 and verify_events(events) == 1
