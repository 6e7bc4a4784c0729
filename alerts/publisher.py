"""Publish the stored alert feed to the ``txmon.alerts`` topic exactly once.

The topic itself is the checkpoint: on each round the publisher reads the sequence of
the last event on the (single-partition) topic and sends every stored event after it.
A crash between storing an alert and publishing it therefore publishes it on restart,
and a crash after publishing never publishes it twice. Only one publisher may run per
feed (docs/architecture.md says how that is arranged when scaling out).
"""

from __future__ import annotations

from alerts.store import AlertStore
from txmon.bus.base import Bus, Producer
from txmon.errors import BackendError
from txmon.wire import loads

FLUSH_TIMEOUT = 10.0  # seconds: a bus silent for longer is an outage (retried by the engine)


class FeedPublisher:
    """Copies new feed events from the alert store to the alerts topic."""

    def __init__(self, alerts: AlertStore, bus: Bus, producer: Producer, topic: str) -> None:
        self._alerts = alerts
        self._bus = bus
        self._producer = producer
        self._topic = topic
        self._published: int | None = None

    def _last_published(self) -> int:
        if self._published is None:
            # Events a failed round left in the producer's buffer may still be delivered
            # (the client retries when the broker is back): the tail is only the truth
            # once they have landed or failed, or they would be sent twice.
            self._producer.flush(FLUSH_TIMEOUT)
            last = self._bus.last_message(self._topic)
            self._published = 0 if last is None else int(loads(last.value)["sequence"])
        return self._published

    def publish_pending(self) -> int:
        """Send and flush every stored event not yet on the topic; return how many."""
        start = self._last_published() + 1
        sent = 0
        last_seq = start - 1
        for seq, raw in self._alerts.raw_events(start):
            self._producer.send(self._topic, raw, key=b"alerts")
            last_seq = seq
            sent += 1
        if sent:
            try:
                self._producer.flush(FLUSH_TIMEOUT)
            except BackendError:
                # Some of them may be on the topic: read its tail again next round.
                self._published = None
                raise
            self._published = last_seq
        return sent
