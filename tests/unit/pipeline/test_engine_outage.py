"""The engine rides out backend outages and counts idle time from its assignment.

The backends here are the embedded ones behind a switch that makes every call fail with
the project's :class:`BackendUnavailable` (what the Redis and Kafka wrappers raise, see
tests/integration/faults/test_engine_faults.py for the real restarts).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from alerts.feed import verify_events
from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from tests.pipeline_scenario import DictLookup, scenario, tornado_tag
from txmon import engine as engine_module
from txmon.bus.base import ALERTS, TRANSFERS, Consumer, Message
from txmon.bus.embedded import EmbeddedBus
from txmon.engine import Engine
from txmon.errors import BackendUnavailable, Rebalanced
from txmon.metrics import Liveness
from txmon.outage import Outage
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore
from txmon.wire import encode_transfer, loads


class Switch:
    """Fails the next ``failures`` calls of the wrapped object's chosen methods."""

    def __init__(self, target: Any, methods: Sequence[str], failures: int) -> None:
        self._target = target
        self._methods = set(methods)
        self.failures = failures
        self.failed = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name not in self._methods:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.failures > 0:
                self.failures -= 1
                self.failed += 1
                raise BackendUnavailable(f"{name}: Connection refused (test)")
            return attr(*args, **kwargs)

        return call


class LateAssignment(Consumer):
    """A consumer that gets its partitions only after ``delay`` seconds (a rebalance)."""

    def __init__(self, inner: Consumer, delay: float) -> None:
        self._inner = inner
        self._at = time.monotonic() + delay

    def assigned(self) -> bool:
        return time.monotonic() >= self._at

    def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        if not self.assigned():
            time.sleep(timeout)
            return []
        return self._inner.poll(timeout, max_records)

    def commit(self, messages: Sequence[Message]) -> None:
        self._inner.commit(messages)

    def rewind(self, messages: Sequence[Message]) -> None:
        self._inner.rewind(messages)

    def lag(self) -> int:
        return self._inner.lag()

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "Outage", functools.partial(Outage, first=0.01, cap=0.05))


def build(tmp_path: Path, store: Any, consumer: Any = None,
          liveness: Liveness | None = None) -> tuple[Engine, EmbeddedBus]:
    bus = EmbeddedBus(tmp_path / "bus.sqlite")
    producer = bus.producer()
    for transfer in scenario():
        producer.send(TRANSFERS, encode_transfer(transfer), key=b"ethereum")
    producer.flush()
    alerts = AlertStore(store)
    engine = Engine(
        consumer=consumer or bus.consumer([TRANSFERS], "engine"),
        producer=producer,
        enricher=Enricher(DictLookup([tornado_tag()])),
        rules=RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml")),
        alerts=alerts,
        publisher=FeedPublisher(alerts, bus, producer, ALERTS),
        transfers_topic=TRANSFERS,
        liveness=liveness,
    )
    return engine, bus


def feed(bus: EmbeddedBus) -> list[dict]:
    consumer = bus.consumer([ALERTS], "inspect")
    return [loads(m.value) for m in consumer.poll(timeout=0.2)]


def test_store_outage_mid_batch_is_retried_without_loss_or_duplicate(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    flaky = Switch(store, ["append_chained", "raw_events", "read_log"], failures=4)
    liveness = Liveness("engine", 120.0)
    engine, bus = build(tmp_path, flaky, liveness=liveness)
    seen_unhealthy: list[bool] = []
    original = liveness.backend_down

    def record(reason: str) -> None:
        original(reason)
        seen_unhealthy.append(liveness.healthy())

    liveness.backend_down = record  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="txmon.outage"):
        stats = engine.run(idle_exit=0.5)
    assert flaky.failed == 4 and seen_unhealthy == [False] * 4
    assert liveness.healthy() and liveness.down is None
    assert stats.alerts_new == 1 and AlertStore(store).count() == 1
    events = feed(bus)
    assert len(events) == 1 and verify_events(events) == 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines  # one when it went down, one when it came back
    assert "backend down" in lines[0] and "Connection refused" in lines[0]
    assert "backend back" in lines[1] and "4 retries" in lines[1]
    assert not any(r.exc_info for r in caplog.records)  # no traceback per retry


def test_bus_outage_in_lag_query_and_commit_is_retried(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    bus = EmbeddedBus(tmp_path / "bus.sqlite")
    commits = Switch(bus.consumer([TRANSFERS], "engine"), ["commit"], failures=2)
    consumer = Switch(commits, ["lag"], failures=2)
    engine, bus = build(tmp_path, store, consumer=consumer)
    stats = engine.run(idle_exit=0.5)
    assert consumer.failed == 2 and commits.failed == 2
    assert stats.alerts_new == 1 and stats.alerts_seen >= 1  # re-processed, de-duplicated
    assert len(feed(bus)) == 1


def test_idle_exit_counts_from_the_assignment_not_from_start(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    bus = EmbeddedBus(tmp_path / "bus.sqlite")
    late = LateAssignment(bus.consumer([TRANSFERS], "engine"), delay=1.5)
    engine, _ = build(tmp_path, store, consumer=late)
    started = time.monotonic()
    stats = engine.run(idle_exit=0.5)  # would exit after 0.5 s if it counted from start
    assert stats.transfers == 2 and stats.alerts_new == 1
    assert time.monotonic() - started >= 1.5 + 0.5


def test_backoff_doubles_up_to_the_cap() -> None:
    outage = Outage(Liveness("t", 1.0), first=0.5, cap=30.0)
    delays = []
    for _ in range(9):
        delays.append(outage.delay())
        outage.retries += 1
    assert delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def test_a_rebalance_is_not_an_outage(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    bus = EmbeddedBus(tmp_path / "bus.sqlite")
    inner = bus.consumer([TRANSFERS], "engine")
    refused = [1]

    class Rebalancing(LateAssignment):
        def commit(self, messages: Sequence[Message]) -> None:
            if refused.pop() if refused else 0:
                raise Rebalanced("commit refused after a rebalance (test)")
            super().commit(messages)

    liveness = Liveness("engine", 120.0)
    engine, _ = build(tmp_path, store, consumer=Rebalancing(inner, 0.0), liveness=liveness)
    with caplog.at_level(logging.WARNING, logger="txmon.outage"):
        stats = engine.run(idle_exit=0.5)
    assert stats.alerts_new == 1 and stats.alerts_seen == 1  # the batch went again
    assert not caplog.records and liveness.down is None
