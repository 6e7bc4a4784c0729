"""Publish the stored alert feed to the ``txmon.alerts`` topic exactly once, as its only writer.

The topic itself is the checkpoint: on start the publisher finds the last event it
published there and sends every stored event after it. A crash between storing an alert
and publishing it therefore publishes it on restart, and a crash after publishing never
publishes it twice. Only one publisher may run per feed (docs/architecture.md).

Anyone who can write to the topic could otherwise steer that checkpoint (a forged
sequence ``last+1`` hid one alert, ``10**9`` hid all later ones, a non-JSON message stopped
the engine). So every message the publisher sends carries a producer identity: an
HMAC-SHA-256 of its bytes under a random secret kept in the store (header
``txmon-feed-mac``; no configuration needed). Walking back from the tail, a message without
a valid identity is foreign: refused, logged and dead-lettered once, never trusted. The
first genuine message must then agree with the store: the same bytes at that sequence (or,
for a checkpoint, the same hash). A genuine message *beyond* the store's head means the
store lost acknowledged writes; continuing would re-use sequence numbers the regulator
already holds, so the publisher halts with :class:`FeedForkError` instead.

With a signing key (settings ``feed_key_file`` / ``feed_key``) the publisher also sends a
signed head (checkpoint) at least every ``feed_checkpoint_every`` events and at the end of
each round, so the unsigned tail a regulator sees is at most one round long.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from typing import Any

from alerts.feed import is_checkpoint
from alerts.signing import Signer
from alerts.store import AlertStore
from txmon import metrics
from txmon.bus.base import DEADLETTER, Bus, Message, Producer
from txmon.deadletter import DeadLetters
from txmon.errors import BackendError, BadRecord, FeedForkError
from txmon.wire import dumps, loads

log = logging.getLogger(__name__)

MAC_HEADER = "txmon-feed-mac"
IDENTITY_KEY = "feed:publisher-identity"  # 32 random bytes, created once per store
PUBLISHED_KEY = "feed:published"  # highest sequence confirmed on the topic
REFUSED_PREFIX = "feed:refused:"  # topic:offset of foreign messages already dead-lettered

FLUSH_TIMEOUT = 10.0  # seconds: a bus silent for longer is an outage (retried by the engine)


class FeedPublisher:
    """Copies new feed events from the alert store to the alerts topic."""

    def __init__(self, alerts: AlertStore, bus: Bus, producer: Producer, topic: str, *,
                 signer: Signer | None = None, checkpoint_every: int = 100,
                 deadletter_topic: str = DEADLETTER) -> None:
        self._alerts = alerts
        self._store = alerts.backend
        self._bus = bus
        self._producer = producer
        self._topic = topic
        self._signer = signer
        self._every = checkpoint_every
        self._dead = DeadLetters(producer, topic=deadletter_topic)
        self._published: int | None = None
        self._secret: bytes | None = None

    # -- producer identity -------------------------------------------------------------
    def _identity(self) -> tuple[bytes, bool]:
        """The store's publisher secret, and whether this call had to create it."""
        created = self._store.add_if_absent(IDENTITY_KEY, os.urandom(32))
        secret = self._store.get(IDENTITY_KEY)
        assert secret is not None  # just set, or set before
        return secret, created

    def _mac(self, value: bytes) -> bytes:
        assert self._secret is not None
        return hmac.new(self._secret, value, hashlib.sha256).hexdigest().encode()

    def _send(self, value: bytes) -> None:
        self._producer.send(self._topic, value, key=b"alerts",
                            headers=[(MAC_HEADER, self._mac(value))])

    # -- start-up: find the last genuine message -----------------------------------------
    def _judge(self, message: Message, store_head: int) -> tuple[int, dict[str, Any]] | str:
        """(head sequence, record) of a genuine message, or why it is foreign."""
        try:
            record = loads(message.value)
        except BadRecord as exc:
            return str(exc)
        if not isinstance(record, dict):
            return "not a feed record"
        seq = record.get("data", {}).get("seq") if is_checkpoint(record) else record.get(
            "sequence")
        if not isinstance(seq, int) or isinstance(seq, bool):
            return "no integer sequence"
        mac = dict(message.headers).get(MAC_HEADER)
        if mac is not None and hmac.compare_digest(mac, self._mac(message.value)):
            return seq, record
        if (not is_checkpoint(record) and 0 < seq <= store_head
                and self._alerts.raw_event(seq) == message.value):
            # The stored event itself, sent before producer identities existed (an
            # upgraded deployment) or copied: genuine content, judged by position below.
            return seq, record
        if mac is None:
            return "no producer identity (not sent by this feed's publisher)"
        return "producer identity does not verify (forged or altered)"

    def _refuse(self, message: Message, reason: str) -> None:
        log.error("feed publisher: refused foreign message at %s offset %d: %s",
                  self._topic, message.offset, reason)
        if self._store.add_if_absent(f"{REFUSED_PREFIX}{self._topic}:{message.offset}", b"1"):
            self._dead.from_message(message, f"foreign message on the alerts topic: {reason}")
            metrics.DEAD_LETTERS.labels("feed").inc()

    def _agree(self, seq: int, record: dict[str, Any], message: Message) -> None:
        """A genuine message must match the store, or the two have forked."""
        head = self._alerts.head()
        if seq > head.seq:
            raise FeedForkError(
                f"the alerts topic holds feed sequence {seq} (offset {message.offset}, sent by "
                f"this feed's publisher) but the alert store ends at {head.seq}: the store lost "
                "acknowledged writes. Refusing to publish, which would re-use sequence numbers "
                "the regulator already holds. Restore the store (Redis AOF) or investigate; "
                "see docs/operations.md")
        stored = self._alerts.raw_event(seq) if seq else b""
        if is_checkpoint(record):
            same = seq == 0 or (stored is not None and loads(stored)["hash"] ==
                                record["data"].get("hash"))
        else:
            same = stored == message.value
        if not same:
            raise FeedForkError(
                f"feed sequence {seq} on the alerts topic (offset {message.offset}) differs "
                "from the alert store's: store and topic have forked; refusing to publish")

    def _reconcile(self) -> int:
        """The sequence last published, from the topic tail checked against the store."""
        self._secret, fresh = self._identity()
        raw = self._store.get(PUBLISHED_KEY)
        recorded = int(raw) if raw else 0
        store_head = self._alerts.head().seq
        try:
            for message in self._bus.read_back(self._topic):
                verdict = self._judge(message, store_head)
                if isinstance(verdict, str):
                    if fresh and MAC_HEADER in dict(message.headers):
                        raise FeedForkError(
                            "the alert store has no publisher identity yet, but the alerts "
                            f"topic already holds feed messages (offset {message.offset}): "
                            "the store was wiped or belongs to another deployment; refusing "
                            "to publish over the existing feed")
                    self._refuse(message, verdict)
                    continue
                seq, record = verdict
                self._agree(seq, record, message)
                if seq < recorded:  # a copy of an old message of ours, after newer ones
                    self._refuse(message, f"repeats sequence {seq}, below the published "
                                 f"head {recorded} (replayed)")
                    continue
                return seq
            if recorded:
                raise FeedForkError(
                    f"the store recorded the feed as published up to {recorded}, but the "
                    "alerts topic holds no genuine feed message: the topic was truncated or "
                    "replaced; refusing to publish")
            return 0
        finally:
            self._producer.flush(FLUSH_TIMEOUT)  # dead letters of refused messages

    def _last_published(self) -> int:
        if self._published is None:
            # Events a failed round left in the producer's buffer may still be delivered
            # (the client retries when the broker is back): the tail is only the truth
            # once they have landed or failed, or they would be sent twice.
            self._producer.flush(FLUSH_TIMEOUT)
            self._published = self._reconcile()
            log.info("feed publisher: topic %s verified against the store up to sequence %d",
                     self._topic, self._published)
        return self._published

    def check(self) -> int:
        """Verify the topic against the store without publishing; return the published head.

        Engines that do not publish (``--no-publish``) call this on start, so that none of
        them appends to a store that lost writes the topic already has.
        """
        return self._last_published()

    # -- publishing ----------------------------------------------------------------------
    def _checkpoint(self, seq: int, digest: str) -> None:
        assert self._signer is not None
        self._send(dumps(self._alerts.sign_head(self._signer, seq, digest)))

    def publish_pending(self) -> int:
        """Send and flush every stored event not yet on the topic; return how many."""
        start = self._last_published() + 1
        sent = 0
        last: tuple[int, str] | None = None
        for seq, raw in self._alerts.raw_events(start):
            self._send(raw)
            last = (seq, loads(raw)["hash"])
            sent += 1
            if self._signer is not None and seq % self._every == 0:
                self._checkpoint(*last)
        if last is not None:
            if self._signer is not None and last[0] % self._every != 0:
                self._checkpoint(*last)  # each round ends on a signed head
            try:
                self._producer.flush(FLUSH_TIMEOUT)
            except BackendError:
                # Some of them may be on the topic: verify its tail again next round.
                self._published = None
                raise
            self._published = last[0]
            self._store.put(PUBLISHED_KEY, str(last[0]).encode())
        return sent
