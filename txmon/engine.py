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
from typing import Any

from alerts.delisting import AlertDelistings, delisting_from_message
from alerts.lifecycle import AlertLifecycle
from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from enrich.tagupdates import parse_update
from rules.engine import RuleEngine, RuleFailure
from rules.history import TransferHistory
from rules.judgement import Judge, Mode
from rules.retro import RetroactiveScanner
from txmon import metrics
from txmon.bus.base import DEADLETTER, Consumer, Message, Producer
from txmon.deadletter import DeadLetters
from txmon.errors import BackendError, BadRecord, Rebalanced
from txmon.models import Alert, Transfer, TransferStatus
from txmon.outage import Outage
from txmon.wire import decode_transfer

log = logging.getLogger(__name__)
LAG_INTERVAL = 5.0  # seconds between consumer-lag measurements and on_tick calls
FLUSH_TIMEOUT = 10.0  # a bus that acknowledges nothing for this long is an outage
# Records per batch. Each batch costs a fixed number of store round trips (taint state,
# history, alert lifecycle, commit) and a bus poll: 2,000 spreads them 4x thinner than the
# bus default of 500 while one batch stays well under a second of work.
BATCH_RECORDS = 2_000
# What one record can make our pure code raise (besides BadRecord): contained, that record
# is dead-lettered. Backend failures (BackendError: Redis, Kafka, DeliveryError) are not
# among them: they stop the batch before its commit (the run loop retries it), never turn
# a whole outage into dead letters.
RECORD_ERRORS = (BadRecord, ValueError, ArithmeticError, TypeError, KeyError, IndexError,
                 AttributeError, UnicodeError, RecursionError)


@dataclass
class EngineStats:
    """What one engine run did (printed by the CLI, asserted by tests)."""

    transfers: int = 0
    alerts_new: int = 0
    alerts_seen: int = 0
    dead_letters: int = 0
    alerts_retroactive: int = 0
    alerts_retracted: int = 0  # retracted events appended (the alert's block reorged out)
    alerts_delisted: int = 0  # delisted events appended (a party an alert rests on delisted)
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
        lifecycle: AlertLifecycle | None = None,
        delistings: AlertDelistings | None = None,
        mode: Mode | None = None,
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._enricher = enricher
        self._rules = rules
        self._alerts = alerts
        self._publisher = publisher
        self._transfers_topic = transfers_topic
        self._dead = DeadLetters(producer, topic=deadletter_topic, stage="engine")
        self._as_of = as_of
        # live: the lists of each block's date, with look-back; see rules/judgement.py
        self._judge = Judge(enricher, rules, mode or Mode.live(as_of))
        self._liveness = liveness or metrics.Liveness("engine", 120.0)
        self._on_control = on_control
        self._history = history
        self._retro = retro
        self._on_tick = on_tick  # periodic housekeeping, e.g. follow the tag store's head
        self._account_for = account_for  # exchange deposit address → customer account
        self._lifecycle = lifecycle  # retracted / re-included events on the feed
        self._delistings = delistings  # delisted events on open alerts
        self._seen: list[Transfer] = []  # recorded in history once per batch
        self.stats = EngineStats()

    def _decode(self, message: Message) -> Transfer | BadRecord | None:
        """The transfer in ``message``, the reason it is bad, or None for a control message.

        Decoding is pure (no backend), so every exception it raises is about this record.
        """
        if message.topic != self._transfers_topic:
            return None
        try:
            return decode_transfer(message.value)
        except BadRecord as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - one record must never stop the stream
            return BadRecord(f"undecodable transfer: {exc!r}"[:1000])

    def _handle(self, message: Message, transfer: Transfer | BadRecord | None) -> None:
        if transfer is None:
            self._control(message)
            return
        if isinstance(transfer, BadRecord):
            self._dead_letter(message, str(transfer))
            return
        if transfer.status is TransferStatus.RETRACTED:
            self._retract(transfer)  # then on as usual: it raises nothing itself
        failures: list[RuleFailure] = []
        try:
            alerts = self._judge.alerts(transfer, failures)  # the same code path as `rules test`
        except RECORD_ERRORS as exc:
            # One record the rules cannot evaluate must not wedge its whole partition in
            # a crash loop: it is dead-lettered with the reason, to be replayed after a fix.
            self._dead_letter(message, f"evaluation failed: {exc!r}")
            return
        self._rule_failures(message, failures)
        for alert in alerts:
            self._raise(self._name_accounts(alert, transfer), transfer)
        if self._history is not None:
            self._seen.append(transfer)
        self.stats.transfers += 1
        metrics.RECORDS.labels("engine").inc()

    def _dead_letter(self, message: Message, reason: str,
                     extra: dict[str, str] | None = None) -> None:
        log.warning("dead-lettering %s[%s]@%s: %s", message.topic, message.partition,
                    message.offset, reason[:300])
        self._dead.from_message(message, reason, extra)
        self.stats.dead_letters += 1
        metrics.DEAD_LETTERS.labels("engine").inc()

    def _rule_failures(self, message: Message, failures: list[RuleFailure]) -> None:
        """One dead letter per rule that failed on the record; its other alerts stand.

        Replaying the letter after the rule is fixed re-runs every rule on the transfer;
        alerts already raised are de-duplicated by id.
        """
        for failure in failures:
            self._dead_letter(message, str(failure),
                              {"rule": failure.rule, "transfer_id": failure.transfer_id})

    def _control(self, message: Message) -> None:
        """A message on the tag-updates topic: validate, swap the index, look back."""
        try:
            update = parse_update(message.value)
        except BadRecord as exc:
            self._dead_letter(message, str(exc))
            return
        if self._on_control is not None:
            self._on_control(message)  # e.g. swap the tag index to the new version
        self._retroactive(message, update)
        self._delisted(message, update)

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

    def _retract(self, transfer: Transfer) -> None:
        """A reorg took the transfer's block: undo its taint, flag the alerts raised on it."""
        self._rules.retract(transfer)
        if self._lifecycle is not None:
            self.stats.alerts_retracted += self._lifecycle.retracted(transfer)

    def _raise(self, alert: Alert, transfer: Transfer | None = None) -> None:
        created = self._alerts.raise_alert(alert).created
        if self._lifecycle is not None:
            self._lifecycle.raised(alert, created, transfer)
        if created:
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

    def _retroactive(self, message: Message, update: dict[str, object]) -> None:
        """A list update: raise retroactive alerts for stored flows it now touches."""
        if self._retro is None:
            return
        self._flush_history()  # transfers earlier in this batch are history too
        failures: list[RuleFailure] = []
        try:
            alerts = self._retro.scan(update, failures)
        except RECORD_ERRORS as exc:
            self._dead_letter(message, f"look-back failed: {exc!r}")
            return
        self._rule_failures(message, failures)
        for alert in alerts:
            self._raise(self._judge.mode.label(alert))

    def _delisted(self, message: Message, update: dict[str, Any]) -> None:
        """A list update that removes addresses: flag the open alerts resting on them."""
        if self._delistings is None:
            return
        try:
            delisting = delisting_from_message(update)
        except (BadRecord, KeyError, TypeError, ValueError) as exc:
            # the look-back (_retroactive) dead-letters a malformed update; say why here too
            log.warning("list update at offset %s carries no usable delisting: %r",
                        message.offset, exc)
            return
        if delisting is not None:
            self.stats.alerts_delisted += self._delistings.apply(delisting)

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
            if self._lifecycle is not None:
                self._lifecycle.flush()
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
        while batch := self._consumer.poll(timeout=0.0, max_records=BATCH_RECORDS):
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
                batch = self._consumer.poll(timeout=0.5, max_records=BATCH_RECORDS)
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
