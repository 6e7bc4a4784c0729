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
from tests.pipeline_scenario import CLEAN_A, CLEAN_B, TEN_ETH, TORNADO_PROXY, scenario, transfer
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
    for item in scenario():
        producer.send(app.topic(TRANSFERS), encode_transfer(item), key=b"ethereum")
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
    """A real `txmon engine` process is SIGKILLed as soon as its first alert is stored.

    Deposits are queued behind the kill point, so the restarted engine (a new member,
    which waits for the dead member's session to expire) must process them: its idle
    time counts from its partition assignment, not from its start.
    """
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    publish_scenario(app)
    producer = app.producer()
    behind = [transfer(f"0x{n:064x}", f"0x{n:040x}", TORNADO_PROXY, TEN_ETH)
              for n in range(1, 21)]
    clean = [transfer(f"0x{n + 10**6:064x}", CLEAN_A, CLEAN_B, 5) for n in range(3000)]
    for n, deposit in enumerate(behind):  # 20 deposits spread through 3,000 transfers
        producer.send(app.topic(TRANSFERS), encode_transfer(deposit), key=b"ethereum")
        for item in clean[n * 150:(n + 1) * 150]:
            producer.send(app.topic(TRANSFERS), encode_transfer(item), key=b"ethereum")
    producer.flush()
    settings = app.settings
    env = {**os.environ, "TXMON_BUS": settings.bus or "", "TXMON_STORE": settings.store or "",
           "TXMON_NAMESPACE": settings.namespace, "TXMON_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "txmon", "engine", "--group", "g3"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while app.alert_store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = app.alert_store.count()
    assert 1 <= at_kill < 21  # killed with alerts still to raise

    started = time.monotonic()
    again = subprocess.run([*command, "--idle-exit", "3"], env=env, capture_output=True,
                           timeout=120, check=True)
    took = time.monotonic() - started
    processed = re.search(rb"engine: (\d+) transfers, (\d+) new alerts", again.stderr)
    assert processed, again.stderr
    assert int(processed[1]) > 0 and int(processed[2]) == 21 - at_kill
    assert took < 3 + 10 + 15  # idle-exit + the session timeout (10 s) + start-up
    stored = [alert.tx_hash for alert in app.alert_store.alerts()]
    assert sorted(stored) == sorted([d.tx_hash for d in behind] + ["0x" + "11" * 32])
    events = alert_events(app)
    assert len(events) == 21 and verify_events(events) == 21
