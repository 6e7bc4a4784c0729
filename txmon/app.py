"""Assemble a running pipeline from settings: the composition root.

Commands (``engine``, ``demo``, ``replay``) and tests build their objects here, so that
the embedded and the Kafka/Redis deployments differ only in which backends
:mod:`txmon.backends` returns — never in the code path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from enrich.enricher import TagLookup
from enrich.tagstore import TagStore
from rules.rulebook import Rulebook, load_rulebook
from rules.typecheck import check_rulebook
from txmon.backends import open_bus, open_store
from txmon.bus.base import (
    ALERTS,
    ALL_TOPICS,
    DEADLETTER,
    TAG_UPDATES,
    TRANSFERS,
    Bus,
    Message,
    Producer,
)
from txmon.settings import Settings
from txmon.store.base import Store

# The pipeline stages are imported by the methods that build them: a one-off command
# (``txmon screen ADDRESS``) needs the store, the tag index and the rulebook, and importing
# the engine, the alert feed and kafka-python it never runs cost it ~0.5 s of start-up.
if TYPE_CHECKING:
    from alerts.publisher import FeedPublisher
    from alerts.signing import Signer
    from alerts.store import AlertStore
    from rules.engine import RuleEngine
    from rules.judgement import Mode
    from txmon.engine import Engine

log = logging.getLogger(__name__)


class App:
    """Lazily opened backends and pipeline stages for one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._closers: list[object] = []

    @cached_property
    def store(self) -> Store:
        store = open_store(self.settings)
        self._closers.append(store)
        return store

    @cached_property
    def bus(self) -> Bus:
        bus = open_bus(self.settings)
        self._closers.append(bus)
        from txmon.bus.kafka import KafkaBus  # imported already when the bus is Kafka

        if isinstance(bus, KafkaBus):  # production brokers do not auto-create topics
            bus.ensure_topics([self.topic(name) for name in ALL_TOPICS])
        return bus

    def producer(self) -> Producer:
        producer = self.bus.producer()
        self._closers.append(producer)
        return producer

    def topic(self, name: str) -> str:
        return self.settings.topic(name)

    @cached_property
    def tag_index(self) -> TagLookup:
        """The in-process tag index, seeded from ``seeds/`` on a fresh data dir."""
        from enrich.runtime import open_tag_index

        return open_tag_index(self.store, self.settings.seeds_dir)

    @cached_property
    def account_for(self) -> Callable[[str], str | None]:
        """Deposit address → exchange account, as assigned by the exchange feed."""
        from txmon.customers import Accounts

        return Accounts(self.store).account_for

    @cached_property
    def rulebook(self) -> Rulebook:
        """The rulebook; a condition failing the type check is logged, not fatal.

        At start-up there is no running rulebook to keep, and refusing to start would stop
        every rule: the engine runs, and each run-time error of the faulty rule is
        dead-lettered with the rule and transfer ids (docs/rules.md, error contract).
        """
        book = load_rulebook(self.settings.rulebook)
        for error in check_rulebook(book):
            log.error("rulebook type check: %s", error)
        return book

    @cached_property
    def rule_engine(self) -> RuleEngine:
        """Rules + exposure state on this store; reloads the rulebook file when it changes."""
        from rules.engine import RuleEngine
        from rules.prices import PriceTable

        prices_path = self.settings.seeds_dir / "prices.csv"
        prices = PriceTable.load(prices_path) if prices_path.exists() else None
        return RuleEngine(self.rulebook, store=self.store, prices=prices,
                          watch=self.settings.rulebook)

    @cached_property
    def alert_store(self) -> AlertStore:
        from alerts.store import AlertStore

        return AlertStore(self.store)

    @cached_property
    def feed_signer(self) -> Signer | None:
        """The exchange's feed signing key, or None (unsigned feed); never logged."""
        from alerts.signing import load_signer

        secret = self.settings.feed_key
        return load_signer(self.settings.feed_key_file,
                           secret.get_secret_value() if secret is not None else None)

    def feed_publisher(self, producer: Producer | None = None) -> FeedPublisher:
        """The single writer of the alerts topic (see docs/architecture.md)."""
        from alerts.publisher import FeedPublisher

        return FeedPublisher(self.alert_store, self.bus, producer or self.producer(),
                             self.topic(ALERTS), signer=self.feed_signer,
                             checkpoint_every=self.settings.feed_checkpoint_every,
                             deadletter_topic=self.topic(DEADLETTER))

    def engine(self, group: str = "txmon-engine", publish: bool = True,
               instance_id: str | None = None, mode: Mode | None = None) -> Engine:
        """The streaming engine consuming transfers and tag updates."""
        from alerts.delisting import AlertDelistings
        from alerts.lifecycle import AlertLifecycle
        from alerts.workflow import AlertWorkflow
        from enrich.enricher import Enricher
        from rules.history import TransferHistory
        from rules.retro import RetroactiveScanner
        from txmon import metrics
        from txmon.engine import Engine

        transfers = self.topic(TRANSFERS)
        consumer = self.bus.consumer([transfers, self.topic(TAG_UPDATES)], group, instance_id)
        self._closers.append(consumer)
        producer = self.producer()
        enricher = Enricher(self.tag_index)  # seeds, or refreshes the designations file
        # A list version whose delta never reached the bus (crash, Kafka down) goes out now,
        # so its look-back runs; see enrich/tagoutbox.py. So does a delisting that a new
        # designations file brought (enrich/tagstore.py, set_designations).
        TagStore(self.store, producer=producer,
                 topic=self.topic(TAG_UPDATES)).publish_pending_deltas()
        publisher: FeedPublisher | None = self.feed_publisher(producer)
        if not publish and publisher is not None:  # the publisher runs elsewhere; still
            publisher.check()  # refuse a store that lost writes
            publisher = None
        liveness = metrics.Liveness("engine", self.settings.liveness_timeout)
        if self.settings.metrics_port:
            metrics.serve(self.settings.metrics_port, liveness, self.settings.metrics_host)
        return Engine(
            consumer=consumer,
            producer=producer,
            enricher=enricher,
            rules=self.rule_engine,
            alerts=self.alert_store,
            publisher=publisher,
            transfers_topic=transfers,
            as_of=self.settings.as_of,
            liveness=liveness,
            on_control=self._on_tag_update,
            history=TransferHistory(self.store) if self.settings.history else None,
            retro=RetroactiveScanner(TransferHistory(self.store), self.tag_index,
                                     self.rule_engine) if self.settings.history else None,
            on_tick=self._follow_tag_head,
            account_for=self.account_for,
            deadletter_topic=self.topic(DEADLETTER),
            lifecycle=AlertLifecycle(self.store, self.alert_store),
            delistings=AlertDelistings(self.alert_store,
                                       AlertWorkflow(self.store, self.alert_store)),
            mode=mode,
        )

    def _follow_tag_head(self) -> None:
        """Swap to a new list version even if another worker consumed its update message.

        With Kafka, one member of the engine group receives each ``txmon.tags.updates``
        message (and runs the look-back once); every other worker notices the moved head
        of the tag store here, within ``LAG_INTERVAL`` seconds.
        """
        refresh = getattr(self.tag_index, "refresh", None)
        if refresh is not None and refresh():
            log.info("tag index follows the tag store to a new version")

    def _on_tag_update(self, message: Message) -> None:
        """A new list version: swap the in-process index to it."""
        refresh = getattr(self.tag_index, "refresh", None)
        if refresh is not None:
            refresh()
            log.info("tag index refreshed after update at offset %s", message.offset)

    def close(self) -> None:
        for obj in reversed(self._closers):
            try:
                obj.close()  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - closing must not mask the real error
                log.warning("error while closing %r: %s", obj, exc)
        self._closers.clear()
