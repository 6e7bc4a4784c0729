"""Prometheus metrics and a liveness signal that fails when progress stops.

A process that is alive but stuck (a consumer wedged on a rebalance, a node that stopped
answering) is the dangerous failure in screening: ``/healthz`` therefore reports unhealthy
when no progress was recorded for ``liveness_timeout`` seconds, not only when the process
has died.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

RECORDS = Counter("txmon_records_total", "Records processed per stage", ["stage"])
DEAD_LETTERS = Counter("txmon_dead_letters_total", "Records sent to the dead-letter topic",
                       ["stage"])
DEAD_LETTER_FAILURES = Counter("txmon_dead_letter_failures_total",
                               "Dead letters the bus refused (logged with coordinates)",
                               ["stage"])
RULE_ERRORS = Counter("txmon_rule_errors_total",
                      "Rule evaluations that failed on one transfer (dead-lettered)", ["rule"])
ALERTS = Counter("txmon_alerts_total", "Alerts newly stored", ["rule", "severity"])
CONSUMER_LAG = Gauge("txmon_consumer_lag", "Messages not yet consumed", ["stage"])
LAST_PROGRESS = Gauge("txmon_last_progress_timestamp", "Unix time of the last progress",
                      ["stage"])
STAGE_SECONDS = Counter("txmon_stage_seconds_total", "Time spent per stage", ["stage"])
BACKEND_DOWN = Gauge("txmon_backend_down", "1 while a backend (Kafka, Redis) is failing",
                     ["stage"])


class Liveness:
    """Remembers the last time a stage made progress."""

    def __init__(self, stage: str, timeout: float) -> None:
        self.stage = stage
        self.timeout = timeout
        self._last = time.monotonic()
        self.down: str | None = None  # why a backend is failing, while it is

    def progress(self) -> None:
        """Record progress (call after each processed batch, including empty polls)."""
        self._last = time.monotonic()
        LAST_PROGRESS.labels(self.stage).set(time.time())

    def backend_down(self, reason: str) -> None:
        """Unhealthy at once (not after ``timeout``): a backend outage is known, not a guess."""
        self.down = reason
        BACKEND_DOWN.labels(self.stage).set(1)

    def backend_up(self) -> None:
        self.down = None
        BACKEND_DOWN.labels(self.stage).set(0)
        self.progress()

    def healthy(self) -> bool:
        return self.down is None and time.monotonic() - self._last <= self.timeout


def serve(port: int, liveness: Liveness, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve ``/metrics`` and ``/healthz`` on ``host``:``port`` in a daemon thread.

    Loopback by default; a container sets ``TXMON_METRICS_HOST=0.0.0.0`` so that
    Prometheus in another container can scrape it.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's naming
            if self.path == "/metrics":
                body, status, ctype = generate_latest(), 200, CONTENT_TYPE_LATEST
            elif self.path == "/healthz":
                ok = liveness.healthy()
                down = liveness.down
                body = (b"ok\n" if ok else
                        b"stalled\n" if down is None else f"backend down: {down}\n".encode())
                status, ctype = (200 if ok else 503), "text/plain"
            else:
                body, status, ctype = b"not found\n", 404, "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Keep scrapes out of the logs."""

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
