"""Fault injection on the real services: the engine process survives backend restarts and
SIGKILLs under load with 0 alerts lost and 0 duplicated.

Redis and Kafka restarts use a private instance each (module-scoped: a second Kafka costs
~20 s and ~1 GB once per session); the SIGKILL test uses the shared services. Every test
drives a real ``txmon engine`` subprocess and checks ``/healthz`` from outside.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from tests.integration.faults.engine_load import (
    EngineProcess,
    Load,
    PrivateKafka,
    PrivateRedis,
    assert_exactly_once,
    stored_alert_txs,
    wait_for,
)
from txmon.app import App
from txmon.bus.base import ALL_TOPICS
from txmon.errors import BackendUnavailable
from txmon.settings import load_settings
from txmon.store.redis import RedisStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path_factory.mktemp("redis"))
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(scope="module")
def private_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateKafka]:
    kafka = PrivateKafka(tmp_path_factory.mktemp("kafka-run"))
    kafka.start()
    yield kafka
    kafka.remove()


def _app(bus: str, store: str, tmp_path: Path) -> Iterator[App]:
    """The product's App on the given Kafka and Redis, in a namespace of its own."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    app = App(load_settings(bus=bus, store=store, namespace=namespace, data_dir=tmp_path))
    app.bus  # noqa: B018 - creates the namespaced topics
    yield app
    app.close()
    with contextlib.suppress(Exception):
        admin = KafkaAdminClient(bootstrap_servers=bus.removeprefix("kafka://").split(","))
        admin.delete_topics([app.topic(name) for name in ALL_TOPICS])
        admin.close()


def _watch_health(engine: EngineProcess, seconds: float) -> list[int | None]:
    """/healthz statuses for ``seconds`` (ending 2 s after the first 503)."""
    statuses: list[int | None] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        statuses.append(engine.health())
        if statuses[-1] == 503:
            deadline = min(deadline, time.monotonic() + 2.0)
        time.sleep(0.25)
    return statuses


def _finish(app: App, engine: EngineProcess, load: Load, timeout: float) -> str:
    done = wait_for(lambda: sum(stored_alert_txs(app).values()) >= len(load.deposits), timeout)
    assert engine.alive(), engine.log.read_text()[-3000:]
    assert wait_for(lambda: engine.health() == 200, 30), "not healthy after the outage"
    output = engine.stop()
    assert done, f"{sum(stored_alert_txs(app).values())} of {len(load.deposits)} alerts\n" + \
        output[-3000:]
    return output


@pytest.fixture
def redis_app(private_redis: PrivateRedis, kafka_url: str, tmp_path: Path) -> Iterator[App]:
    yield from _app(kafka_url, private_redis.url, tmp_path)


@pytest.fixture
def kafka_app(private_kafka: PrivateKafka, redis_url: str, redis_cleanup: None,
              tmp_path: Path) -> Iterator[App]:
    yield from _app(private_kafka.url, redis_url, tmp_path)


def test_redis_restart_under_load_loses_and_duplicates_nothing(
        redis_app: App, private_redis: PrivateRedis, tmp_path: Path) -> None:
    app = redis_app
    load = Load(app, uuid.uuid4().hex[:8])
    load.publish(5)
    engine = EngineProcess(app, tmp_path, "faults-redis")
    assert wait_for(lambda: stored_alert_txs(app), 30), engine.log.read_text()
    feeding = load.in_background(rounds=30, pause=0.2)
    private_redis.stop()
    statuses = _watch_health(engine, 15.0)
    assert engine.alive(), engine.log.read_text()[-3000:]
    private_redis.start()
    feeding.join(timeout=30)
    output = _finish(app, engine, load, 60)
    assert 503 in statuses, statuses  # unhealthy while Redis was down
    assert output.count("backend down") == 1 and output.count("backend back") == 1, output
    assert "Traceback" not in output, output
    assert_exactly_once(app, load.deposits)


def test_kafka_restart_under_load_loses_and_duplicates_nothing(
        kafka_app: App, private_kafka: PrivateKafka, tmp_path: Path) -> None:
    app = kafka_app
    load = Load(app, uuid.uuid4().hex[:8])
    load.publish(80)
    engine = EngineProcess(app, tmp_path, "faults-kafka")
    assert wait_for(lambda: stored_alert_txs(app), 30), engine.log.read_text()
    private_kafka.stop()
    down_statuses = _watch_health(engine, 20.0)
    assert engine.alive(), engine.log.read_text()[-3000:]
    private_kafka.start()
    load.publish(20)  # after the outage: new work is picked up too
    output = _finish(app, engine, load, 60)
    assert 503 in down_statuses, down_statuses
    assert output.count("backend down") == 1 and output.count("backend back") == 1, output
    assert "Traceback" not in output, output
    assert_exactly_once(app, load.deposits)


def test_engine_sigkilled_three_times_under_load(live_app: App, tmp_path: Path) -> None:
    app = live_app
    load = Load(app, uuid.uuid4().hex[:8])
    load.publish(5)
    feeding = load.in_background(rounds=60, pause=0.1)
    extra = ("--instance-id", f"{app.settings.namespace}-engine-0")
    restarted_work = []
    for _kill in range(3):
        engine = EngineProcess(app, tmp_path, "faults-sigkill", *extra)
        before = sum(stored_alert_txs(app).values())
        assert wait_for(lambda b=before: sum(stored_alert_txs(app).values()) > b, 60), \
            engine.log.read_text()
        restarted_work.append(sum(stored_alert_txs(app).values()) - before)
        engine.kill()
        # The next engine must have work behind the kill: a fast engine may have drained
        # everything once the feeder is done (publishing only after it ended: the Load
        # counter is not shared across threads; 0.3 s is past its last 0.1 s pause).
        feeding.join(timeout=0.3)
        if not feeding.is_alive():
            load.publish(5)
    feeding.join(timeout=30)
    # Work waiting behind the last kill, whatever the killed engines got through before it
    # (without it, a fast third engine could drain the load and leave the restart nothing).
    load.publish(5)
    last = EngineProcess(app, tmp_path, "faults-sigkill", *extra, "--idle-exit", "5")
    last.proc.wait(timeout=60)
    output = last.stop()
    assert last.proc.returncode == 0, output
    processed = re.search(r"engine: (\d+) transfers", output)
    assert processed and int(processed[1]) > 0, output  # the last restart found work waiting
    assert all(n > 0 for n in restarted_work), restarted_work  # each restart did work
    assert_exactly_once(app, load.deposits)


def test_redis_store_raises_backend_unavailable_not_redis_errors(
        private_redis: PrivateRedis) -> None:
    store = RedisStore(private_redis.url, namespace=f"t{uuid.uuid4().hex[:10]}")
    try:
        store.put("k", b"v")
        private_redis.stop()
        with pytest.raises(BackendUnavailable, match=r"Redis at .*ConnectionError"):
            store.get("k")
        with pytest.raises(BackendUnavailable):
            list(store.scan(""))  # generators too
        private_redis.start()
        assert store.get("k") == b"v"  # reconnects by itself; AOF kept the write
    finally:
        store.close()
