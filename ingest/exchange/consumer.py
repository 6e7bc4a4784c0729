"""The exchange feed consumer: poll → effects → store, publish, flush → screen → commit.

Lifecycle per batch, in this order because a crash at any point must lose nothing:

1. every message is parsed and mapped; a bad one (not JSON, unknown version, schema
   violation, a date that does not exist, an address or hash not of its chain, any
   exception while mapping it; a malformed tag update) is queued to the dead-letter
   topic with its topic, partition, offset, original bytes (or a pointer when too large,
   see :mod:`txmon.deadletter`) and reason, and counted — the loop never stops;
2. Store writes (customers, deposit addresses, logins) are applied in one ``put_many``;
3. transfers and dead letters are sent and ``flush`` confirms delivery (DeliveryError
   aborts the batch before the commit);
4. customers and travel-rule counterparties are screened (confirmation records);
5. only then are the messages committed. A crash before 5 replays the batch, and every
   effect is idempotent (whole-value puts, deterministic transfer and record ids).

A message on the tag-updates topic (same consumer, same group) triggers a re-screening
of every customer after the batch's own effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from enrich.tagupdates import parse_update
from ingest.exchange import travelrule
from ingest.exchange.mapping import effects
from ingest.exchange.schema import parse
from screening.customers import CustomerScreening
from txmon import metrics
from txmon.bus.base import Consumer, Message, Producer
from txmon.deadletter import DeadLetters
from txmon.errors import BackendError, BadRecord, Rebalanced
from txmon.models import Transfer
from txmon.outage import Outage
from txmon.store.base import Store
from txmon.wire import encode_transfer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Counts:
    events: int = 0
    transfers: int = 0
    dead: int = 0
    screened: int = 0
    rescreens: int = 0


FLUSH_TIMEOUT = 10.0  # seconds without delivery before the flush counts as an outage


class ExchangeIngest:
    """Follows ``txmon.exchange.events`` (and ``txmon.tags.updates``) in one group."""

    def __init__(self, consumer: Consumer, producer: Producer, store: Store, *,
                 transfers_topic: str, tag_updates_topic: str,
                 screening: CustomerScreening | None = None, network: str = "back-office",
                 deadletter_topic: str | None = None,
                 liveness: metrics.Liveness | None = None) -> None:
        self._consumer = consumer
        self._liveness = liveness or metrics.Liveness("ingest-exchange", 120.0)
        self._producer = producer
        self._store = store
        self._transfers = transfers_topic
        self._tag_updates = tag_updates_topic
        self._screening = screening
        self._network = network
        self.dead = (DeadLetters(producer, deadletter_topic, stage="exchange")
                     if deadletter_topic else DeadLetters(producer, stage="exchange"))
        self.counts = Counts()

    def step(self, timeout: float = 1.0) -> int:
        """Process one polled batch; returns how many messages it held.

        A backend failure midway (:class:`BackendError`) rewinds the batch before it is
        raised: nothing was committed, so the next poll delivers it again.
        """
        messages = self._consumer.poll(timeout)
        if not messages:
            return 0
        try:
            self._process(messages)
        except BackendError:
            self._consumer.rewind(messages)
            raise
        return len(messages)

    def _process(self, messages: list[Message]) -> None:
        items: dict[str, bytes] = {}
        transfers: list[tuple[Transfer, list[str]]] = []
        customers: dict[str, str] = {}
        lists_changed = False
        for message in messages:
            if message.topic == self._tag_updates:
                try:
                    parse_update(message.value)
                except BadRecord as exc:
                    self._dead(message, str(exc))
                    continue
                lists_changed = True
                continue
            try:
                event = parse(message.value)
                found = effects(event, self._network)
            except BadRecord as exc:
                self._dead(message, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - parsing and mapping are pure: the
                # record is at fault, and one record must never stop the feed
                self._dead(message, f"could not map event: {exc!r}")
                continue
            self.counts.events += 1
            items.update(found.items)
            customers.update({a: event["id"] for a in found.customers})
            for t in found.transfers:
                transfers.append((t, _counterparty_names(event, t)))
        if items:
            self._store.put_many(items)
        self._publish(transfers)
        self._screen(customers, lists_changed)
        self._consumer.commit(messages)

    def run(self, stop: Callable[[], bool] = lambda: False, idle_exit: float | None = None,
            timeout: float = 1.0) -> Counts:
        """Loop until ``stop()``; with ``idle_exit``, return after that long without input.

        A Kafka or Redis outage never ends the loop (as in the engine, txmon/outage.py): the
        batch is retried with back-off, one log line when it starts and one when it ends,
        ``/healthz`` unhealthy meanwhile; idle time does not count while a backend is down.
        """
        idle = 0.0
        outage = Outage(self._liveness)
        while not stop():
            try:
                got = self.step(timeout)
            except BackendError as exc:
                if not isinstance(exc, Rebalanced):  # a rebalance is not an outage
                    outage.wait(exc, stop)
                continue
            outage.over()
            if got:
                idle = 0.0
            elif idle_exit is not None:
                idle += timeout
                if idle >= idle_exit:
                    break
        return self.counts

    def close(self) -> None:
        """Leave the consumer group: uncommitted messages go to the next member."""
        self._consumer.close()

    def _dead(self, message: Message, reason: str) -> None:
        log.warning("dead-lettering %s[%s]@%s: %s", message.topic, message.partition,
                    message.offset, reason[:300])
        self.dead.from_message(message, reason)
        self.counts.dead += 1
        metrics.DEAD_LETTERS.labels("exchange").inc()

    def _publish(self, transfers: list[tuple[Transfer, list[str]]]) -> None:
        for transfer, names in transfers:
            if self._screening is not None:
                transfer = self._screening.counterparty(transfer, names)
            self._producer.send(self._transfers, encode_transfer(transfer),
                                key=transfer.chain.encode())
        # dead letters and transfers; a DeliveryError (a bus silent this long) stops the commit
        self._producer.flush(FLUSH_TIMEOUT)
        self.counts.transfers += len(transfers)

    def _screen(self, customers: dict[str, str], lists_changed: bool) -> None:
        if self._screening is None:
            return
        for account, event_id in customers.items():
            self._screening.customer(account, event_id)
            self.counts.screened += 1
        if lists_changed:
            self.counts.rescreens += self._screening.rescreen_all()


def _counterparty_names(event: dict[str, Any], transfer: Transfer) -> list[str]:
    """The other side's travel-rule names: originator of a deposit, beneficiary otherwise."""
    direction = transfer.exchange.direction if transfer.exchange else ""
    side = {"deposit": "originator", "withdrawal": "beneficiary"}.get(direction)
    return travelrule.party_names(event.get("travel_rule"), side) if side else []
