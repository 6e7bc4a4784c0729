"""The engine: consume transfers, enrich, apply rules, store and publish alerts.

One loop serves ``txmon engine`` (Kafka/Redis or embedded), ``txmon demo`` and
``txmon replay``. Per batch: decode → enrich → evaluate → store alerts (idempotent) →
dead-letter bad records → publish the feed → flush → commit offsets. Offsets are
committed last, so a crash anywhere before re-processes the batch, and the alert store's
de-duplication makes that harmless.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.history import TransferHistory
from rules.judgement import Judge, Mode
from rules.retro import RetroactiveScanner
from txmon import metrics
from txmon.bus.base import DEADLETTER, Consumer, Message, Producer
from txmon.deadletter import DeadLetters
from txmon.errors import BackendError, BadRecord, Rebalanced
from txmon.models import Alert, Transfer
from txmon.outage import Outage
from txmon.wire import decode_transfer, loads

log = logging.getLogger(__name__)
LAG_INTERVAL = 5.0  # seconds between consumer-lag measurements and on_tick calls
FLUSH_TIMEOUT = 10.0  # a bus that acknowledges nothing for this long is an outage


@dataclass
class EngineStats:
    """What one engine run did (printed by the CLI, asserted by tests)."""

    transfers: int = 0
    alerts_new: int = 0
    alerts_seen: int = 0
    dead_letters: int = 0
    alerts_retroactive: int = 0
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
        publisher: FeedPublisher | None,
        transfers_topic: str,
        as_of: dt.date | None = None,
        liveness: metrics.Liveness | None = None,
        on_control: Callable[[Message], None] | None = None,
        history: TransferHistory | None = None,
        retro: RetroactiveScanner | None = None,
        on_tick: Callable[[], None] | None = None,
        account_for: Callable[[str], str | None] | None = None,
        deadletter_topic: str = DEADLETTER,
        mode: Mode | None = None,
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._enricher = enricher
        self._rules = rules
        self._alerts = alerts
        self._publisher = publisher
        self._transfers_topic = transfers_topic
        self._dead = DeadLetters(producer, topic=deadletter_topic)
        self._as_of = as_of
        # live: the lists of each block's date, with look-back; see rules/judgement.py
        self._judge = Judge(enricher, rules, mode or Mode.live(as_of))
        self._liveness = liveness or metrics.Liveness("engine", 120.0)
        self._on_control = on_control
        self._history = history
        self._retro = retro
        self._on_tick = on_tick  # periodic housekeeping, e.g. follow the tag store's head
        self._account_for = account_for  # exchange deposit address → customer account
        self._seen: list[Transfer] = []  # recorded in history once per batch
        self.stats = EngineStats()

    def _decode(self, message: Message) -> Transfer | BadRecord | None:
        """The transfer in ``message``, the reason it is bad, or None for a control message."""
        if message.topic != self._transfers_topic:
            return None
        try:
            return decode_transfer(message.value)
        except BadRecord as exc:
            return exc

    def _handle(self, message: Message, transfer: Transfer | BadRecord | None) -> None:
        if transfer is None:
            if self._on_control is not None:
                self._on_control(message)  # e.g. swap the tag index to the new version
            self._retroactive(message)
            return
        if isinstance(transfer, BadRecord):
            self._dead_letter(message, str(transfer))
            return
        try:
            alerts = self._judge.alerts(transfer)  # the same code path as `rules test`
        except (ValueError, ArithmeticError) as exc:
            # One record the rules cannot evaluate must not wedge its whole partition in
            # a crash loop: it is dead-lettered with the reason, to be replayed after a fix.
            self._dead_letter(message, f"evaluation failed: {exc!r}")
            return
        for alert in alerts:
            self._raise(self._name_accounts(alert, transfer))
        if self._history is not None:
            self._seen.append(transfer)
        self.stats.transfers += 1
        metrics.RECORDS.labels("engine").inc()

    def _dead_letter(self, message: Message, reason: str) -> None:
        self._dead.from_message(message, reason)
        self.stats.dead_letters += 1
        metrics.DEAD_LETTERS.labels("engine").inc()

    def _name_accounts(self, alert: Alert, transfer: Transfer) -> Alert:
        """Add the exchange accounts behind the transfer's addresses to the evidence.

        Looked up only for transfers that raised an alert (rare), not on the hot path.
        """
        if self._account_for is None:
            return alert
        accounts = {a: acc for a in transfer.addresses() if (acc := self._account_for(a))}
        if not accounts:
            return alert
        return dataclasses.replace(alert, evidence={**alert.evidence, "accounts": accounts})

    def _raise(self, alert: Alert) -> None:
        if self._alerts.raise_alert(alert).created:
            self.stats.alerts_new += 1
            self.stats.alerts_retroactive += alert.retroactive
            self.stats.new_alerts.append(alert)
            metrics.ALERTS.labels(alert.rule, alert.severity).inc()
        else:
            self.stats.alerts_seen += 1

    def _flush_history(self) -> None:
        if self._history is not None and self._seen:
            self._history.record_many(self._seen)
            self._seen.clear()

    def _retroactive(self, message: Message) -> None:
        """A list update: raise retroactive alerts for stored flows it now touches."""
        if self._retro is None:
            return
        self._flush_history()  # transfers earlier in this batch are history too
        try:
            alerts = self._retro.scan(loads(message.value))
        except BadRecord as exc:
            self._dead.from_message(message, str(exc))
            self.stats.dead_letters += 1
            return
        for alert in alerts:
            self._raise(self._judge.mode.label(alert))

    def process_batch(self, messages: list[Message]) -> None:
        """Process, publish, then commit: the order that makes crashes harmless."""
        started = time.perf_counter()
        self._rules.maybe_reload()  # a changed rulebook applies from a batch boundary
        # Transfers before list updates: a delta's look-back must see the transfers that
        # arrived with it (Kafka returns topics in name order, which would put
        # txmon.tags.updates first). Order within each topic is kept.
        ordered = sorted(messages, key=lambda m: m.topic != self._transfers_topic)
        decoded = [(message, self._decode(message)) for message in ordered]
        self._rules.prefetch([t for _, t in decoded if isinstance(t, Transfer)])
        try:
            for message, transfer in decoded:
                self._handle(message, transfer)
        finally:
            self._rules.release()
        self._flush_history()
        self._producer.flush(FLUSH_TIMEOUT)  # dead letters delivered before we commit past them
        if self._publisher is not None:  # None: a separate `txmon alerts publish` does it
            self._publisher.publish_pending()
        self._consumer.commit(messages)
        metrics.STAGE_SECONDS.labels("engine").inc(time.perf_counter() - started)

    def drain(self) -> int:
        """Process everything already on the topic, without waiting; return batches done.

        Replay interleaves this with ingest so that a long range never piles up on the bus.
        """
        batches = 0
        while batch := self._consumer.poll(timeout=0.0):
            self.process_batch(batch)
            batches += 1
        return batches

    def run(self, idle_exit: float | None = None,
            stop: Callable[[], bool] | None = None) -> EngineStats:
        """Consume until ``stop()`` is true, or until idle for ``idle_exit`` seconds.

        Idle time counts from the first partition assignment and from the last batch, not
        from start: a member restarted after a SIGKILL may wait for the dead member's
        session to expire before it gets the partitions (and the work waiting on them).

        A backend outage (:class:`BackendError`, Kafka or Redis) never ends the loop: the
        unfinished batch is rewound and retried with back-off (:mod:`txmon.outage`) while
        ``/healthz`` reports unhealthy. Its offsets were not committed and the alert store
        de-duplicates, so the retry loses and duplicates nothing.
        """
        stopped = stop or (lambda: False)
        idle_since: float | None = None
        next_lag_check = 0.0
        caught_up = False
        outage = Outage(self._liveness)
        publish_first = self._publisher is not None  # stored but unpublished by a crash
        while not stopped():
            batch: list[Message] = []
            try:
                if publish_first and self._publisher is not None:
                    self._publisher.publish_pending()
                    publish_first = False
                batch = self._consumer.poll(timeout=0.5)
                if time.monotonic() >= next_lag_check:  # a broker round trip: not per poll
                    lag = self._consumer.lag()
                    metrics.CONSUMER_LAG.labels("engine").set(lag)
                    caught_up = lag == 0
                    if self._on_tick is not None:
                        self._on_tick()  # reads the store: also probes it during an outage
                    next_lag_check = time.monotonic() + LAG_INTERVAL
                if batch:
                    self.process_batch(batch)
            except BackendError as exc:
                self._seen.clear()
                self._consumer.rewind(batch)  # a local seek: works while the broker is down
                publish_first = self._publisher is not None
                idle_since, next_lag_check = None, 0.0  # probe both backends on the retry
                if isinstance(exc, Rebalanced):  # not an outage: go on at once
                    log.info("engine: %s; the batch goes again to the partitions' owner", exc)
                    continue
                outage.wait(exc, stopped)
                continue
            outage.over()
            now = time.monotonic()
            if batch or caught_up:  # progress: work done, or nothing left to do
                self._liveness.progress()
            if batch or (idle_since is None and self._consumer.assigned()):
                idle_since = now
            elif (idle_exit is not None and idle_since is not None
                  and now - idle_since >= idle_exit):
                break
        return self.stats
