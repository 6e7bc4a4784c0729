"""The webhook sink against a real HTTP server on 127.0.0.1: retries, backoff, refusal."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from alerts.feed import verify_events
from alerts.store import AlertStore
from alerts.webhook import WebhookForwarder, WebhookSink
from tests.unit.alerts.sample import sample_alerts
from txmon.errors import DeliveryError
from txmon.store.sqlite import SqliteStore
from txmon.wire import loads


class Receiver(HTTPServer):
    """Answers with the queued status codes (then 200) and keeps what it accepted."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.statuses = statuses
        self.received: list[bytes] = []
        self.content_types: list[str] = []
        self.attempts = 0


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.attempts += 1
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        if status == 200:
            self.server.received.append(body)
            self.server.content_types.append(self.headers["Content-Type"])
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver([])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _sink(server: Receiver, waits: list[float], attempts: int = 5) -> WebhookSink:
    host, port = server.server_address[:2]
    return WebhookSink(f"http://{host}:{port}/hook", max_attempts=attempts, base_delay=0.01,
                       max_delay=0.5, sleep=waits.append)


def test_retries_transient_failures_with_exponential_backoff(receiver: Receiver) -> None:
    receiver.statuses[:] = [503, 500, 429]
    waits: list[float] = []
    assert _sink(receiver, waits).send(b'{"x":1}') == 4
    assert waits == [0.01, 0.02, 0.5]  # 0.01·2^0, 0.01·2^1, Retry-After 1 s capped at 0.5
    assert receiver.received == [b'{"x":1}']
    assert receiver.content_types == ["application/cloudevents+json"]


def test_permanent_refusal_is_not_retried(receiver: Receiver) -> None:
    receiver.statuses[:] = [400]
    waits: list[float] = []
    with pytest.raises(DeliveryError, match="refused the event: HTTP 400"):
        _sink(receiver, waits).send(b"{}")
    assert receiver.attempts == 1 and waits == []


def test_gives_up_after_max_attempts(receiver: Receiver) -> None:
    receiver.statuses[:] = [502, 502, 502]
    waits: list[float] = []
    with pytest.raises(DeliveryError, match="gave up after 3 attempts: HTTP 502"):
        _sink(receiver, waits, attempts=3).send(b"{}")
    assert receiver.attempts == 3 and waits == [0.01, 0.02]


def test_connection_refused_is_retried_then_fails() -> None:
    server = HTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    server.server_close()  # nothing listens on this port any more
    waits: list[float] = []
    sink = WebhookSink(f"http://{host}:{port}/", max_attempts=2, base_delay=0.01,
                       sleep=waits.append)
    with pytest.raises(DeliveryError, match="ConnectionError"):
        sink.send(b"{}")
    assert waits == [0.01]


def test_forwarder_delivers_the_feed_once_in_order(receiver: Receiver, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    alerts = AlertStore(store)
    for alert in sample_alerts(3):
        alerts.raise_alert(alert)
    receiver.statuses[:] = [200, 503]  # second event needs a retry
    forwarder = WebhookForwarder(alerts, store, _sink(receiver, []))
    assert forwarder.forward_pending() == 3
    assert forwarder.forward_pending() == 0  # checkpoint: nothing sent twice
    events = [loads(body) for body in receiver.received]
    assert [e["sequence"] for e in events] == [1, 2, 3]
    assert verify_events(events) == 3
    store.close()


def test_cli_webhook_delivers_stored_feed(receiver: Receiver, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from txmon.cli.main import main

    data = tmp_path / "data"
    data.mkdir()
    store = SqliteStore(data / "store.sqlite")
    for alert in sample_alerts(2):
        AlertStore(store).raise_alert(alert)
    store.close()
    host, port = receiver.server_address[:2]
    args = ["--data-dir", str(data), "alerts", "webhook", f"http://{host}:{port}/hook"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "delivered 2 events" in first.stderr
    again = CliRunner().invoke(main, args)
    assert "delivered 0 events" in again.stderr
    assert [loads(b)["sequence"] for b in receiver.received] == [1, 2]
