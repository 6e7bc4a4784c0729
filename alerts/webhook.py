"""Deliver feed events to an HTTP webhook, with retries and exponential backoff.

Each event is POSTed as a structured-mode CloudEvent (``application/cloudevents+json``),
the exact bytes stored in the feed, so the receiver can verify the hash chain itself.
Transient failures — connection errors, timeouts, HTTP 429 and 5xx — are retried after
``base_delay * 2**(attempt-1)`` seconds (capped at ``max_delay``; a numeric
``Retry-After`` is honoured up to the same cap); any other status is a permanent
refusal and raises at once. :class:`WebhookForwarder` checkpoints the last delivered
sequence *after* the receiver confirmed it: a crash re-sends, never skips (receivers
de-duplicate by the CloudEvent ``id``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import requests

from alerts.store import AlertStore
from txmon.errors import DeliveryError
from txmon.store.base import Store

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/cloudevents+json"


class WebhookSink:
    """POSTs one event at a time; lifecycle: construct → send … → close."""

    def __init__(self, url: str, max_attempts: int = 5, base_delay: float = 0.5,
                 max_delay: float = 30.0, timeout: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self._sleep = sleep
        self._session = requests.Session()

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        wait = self.base_delay * 2 ** (attempt - 1)
        if retry_after is not None and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return min(wait, self.max_delay)

    def send(self, body: bytes) -> int:
        """Deliver ``body``; returns the number of attempts, or raises DeliveryError."""
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            retry_after = None
            try:
                response = self._session.post(self.url, data=body, timeout=self.timeout,
                                              headers={"Content-Type": CONTENT_TYPE})
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if 200 <= response.status_code < 300:
                    return attempt
                last = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    raise DeliveryError(f"webhook {self.url} refused the event: {last}")
                retry_after = response.headers.get("Retry-After")
            if attempt < self.max_attempts:
                wait = self.delay(attempt, retry_after)
                log.warning("webhook attempt %d failed (%s); retrying in %.2fs",
                            attempt, last, wait)
                self._sleep(wait)
        raise DeliveryError(f"webhook {self.url}: gave up after {self.max_attempts} "
                            f"attempts: {last}")

    def close(self) -> None:
        self._session.close()


class WebhookForwarder:
    """Sends every stored feed event after the checkpoint, then advances it."""

    def __init__(self, alerts: AlertStore, store: Store, sink: WebhookSink,
                 name: str = "default") -> None:
        self._alerts = alerts
        self._store = store
        self._sink = sink
        self._key = f"webhook:{name}:delivered"

    def delivered(self) -> int:
        raw = self._store.get(self._key)
        return int(raw) if raw else 0

    def forward_pending(self) -> int:
        """Deliver in sequence order; stops (raising) at the first event that fails."""
        sent = 0
        for seq, raw in self._alerts.raw_events(self.delivered() + 1):
            self._sink.send(raw)
            self._store.put(self._key, str(seq).encode())  # after delivery, never before
            sent += 1
        return sent
