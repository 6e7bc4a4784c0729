"""Riding out a backend outage: capped exponential back-off and one log line each way.

A Kafka or Redis restart must not kill a consumer (systemd or Kubernetes would restart it
into the same outage, with a traceback per attempt) nor make it skip records: the caller
rewinds the batch it could not finish and tries again after :meth:`Outage.wait`. While
the backend is down the stage's liveness reports unhealthy at once, so an operator sees
the outage on ``/healthz`` without reading logs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from txmon.errors import BackendError
from txmon.metrics import Liveness

log = logging.getLogger(__name__)
FIRST_DELAY = 0.5  # seconds before the first retry
MAX_DELAY = 30.0  # the back-off doubles up to this


class Outage:
    """Back-off state of one stage; logs when an outage starts and when it is over."""

    def __init__(self, liveness: Liveness, first: float = FIRST_DELAY,
                 cap: float = MAX_DELAY) -> None:
        self._liveness = liveness
        self._first = first
        self._cap = cap
        self._since: float | None = None
        self.retries = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def delay(self) -> float:
        """Seconds to wait before the next try: doubling from ``first``, at most ``cap``."""
        return min(self._cap, self._first * float(2 ** min(self.retries, 32)))

    def wait(self, exc: BackendError, stopped: Callable[[], bool]) -> None:
        """Record a failed try and sleep the back-off (returning early on stop)."""
        if self._since is None:
            self._since = time.monotonic()
            log.warning("%s: backend down (%s); retrying with back-off up to %gs, "
                        "unhealthy until it is back", self._liveness.stage, exc, self._cap)
        else:
            log.debug("%s: still down (%s)", self._liveness.stage, exc)
        self._liveness.backend_down(str(exc))
        until = time.monotonic() + self.delay()
        self.retries += 1
        while not stopped() and (left := until - time.monotonic()) > 0:
            time.sleep(min(0.2, left))

    def over(self) -> None:
        """A try succeeded: log the end of an ongoing outage and report healthy again."""
        if self._since is None:
            return
        log.warning("%s: backend back after %.1fs (%d retries); resuming",
                    self._liveness.stage, time.monotonic() - self._since, self.retries)
        self._since = None
        self.retries = 0
        self._liveness.backend_up()
