"""The engine: consume transfers, enrich, apply rules, store and publish alerts.

One loop serves ``txmon engine`` (Kafka/Redis or embedded), ``txmon demo`` and
``txmon replay``. Per batch: decode → enrich → evaluate → store alerts (idempotent) →
dead-letter bad records → publish the feed → flush → commit offsets. Offsets are
committed last, so a crash anywhere before re-processes the batch, and the alert store's
de-duplication makes that harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from txmon import metrics
from txmon.bus.base import Consumer, Message, Producer
from txmon.deadletter import DeadLetters
from txmon.errors import BadRecord
from txmon.models import Alert
from txmon.wire import decode_transfer

log = logging.getLogger(__name__)


@dataclass
class EngineStats:
    """What one engine run did (printed by the CLI, asserted by tests)."""

    transfers: int = 0
    alerts_new: int = 0
    alerts_seen: int = 0
    dead_letters: int = 0
    new_alerts: list[Alert] = field(default_factory=list)


class Engine:
    """Streaming consumer of ``txmon.transfers`` producing alerts."""

    def __init__(
        self,
        consumer: Consumer,
        producer: Producer,
        enricher: Enricher,
        rules: RuleEngine,
        alerts: AlertStore,
        publisher: FeedPublisher,
        transfers_topic: str,
        as_of: dt.date | None = None,
        liveness: metrics.Liveness | None = None,
        on_control: Callable[[Message], None] | None = None,
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._enricher = enricher
        self._rules = rules
        self._alerts = alerts
        self._publisher = publisher
        self._transfers_topic = transfers_topic
        self._dead = DeadLetters(producer)
        self._as_of = as_of
        self._liveness = liveness or metrics.Liveness("engine", 120.0)
        self._on_control = on_control
        self.stats = EngineStats()

    def _handle(self, message: Message) -> None:
        if message.topic != self._transfers_topic:
            if self._on_control is not None:
                self._on_control(message)
            return
        try:
            transfer = decode_transfer(message.value)
        except BadRecord as exc:
            self._dead.from_message(message, str(exc))
            self.stats.dead_letters += 1
            metrics.DEAD_LETTERS.labels("engine").inc()
            return
        enriched = self._enricher.enrich(transfer, self._as_of)
        for alert in self._rules.evaluate(enriched):
            if self._alerts.raise_alert(alert).created:
                self.stats.alerts_new += 1
                self.stats.new_alerts.append(alert)
                metrics.ALERTS.labels(alert.rule, alert.severity).inc()
            else:
                self.stats.alerts_seen += 1
        self.stats.transfers += 1
        metrics.RECORDS.labels("engine").inc()

    def process_batch(self, messages: list[Message]) -> None:
        """Process, publish, then commit: the order that makes crashes harmless."""
        started = time.perf_counter()
        for message in messages:
            self._handle(message)
        self._producer.flush()  # dead letters delivered before we commit past them
        self._publisher.publish_pending()
        self._consumer.commit(messages)
        metrics.STAGE_SECONDS.labels("engine").inc(time.perf_counter() - started)

    def run(self, idle_exit: float | None = None, stop: Callable[[], bool] | None = None) -> EngineStats:
        """Consume until ``stop()`` is true, or until idle for ``idle_exit`` seconds."""
        idle_since = time.monotonic()
        self._publisher.publish_pending()  # anything stored but unpublished by a crash
        while not (stop and stop()):
            batch = self._consumer.poll(timeout=0.5)
            self._liveness.progress()
            metrics.CONSUMER_LAG.labels("engine").set(self._consumer.lag())
            if batch:
                self.process_batch(batch)
                idle_since = time.monotonic()
            elif idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                break
        return self.stats
