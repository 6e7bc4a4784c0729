"""Liveness fails when progress stops, not only when the process dies; metrics are served."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from txmon import metrics


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_healthz_turns_unhealthy_when_progress_stops() -> None:
    liveness = metrics.Liveness("test-stage", timeout=0.0)
    port = free_port()
    server = metrics.serve(port, liveness)
    try:
        liveness.timeout = 60.0
        liveness.progress()
        assert get(port, "/healthz") == (200, b"ok\n")
        liveness.timeout = 0.0  # no progress within the timeout: stalled
        assert get(port, "/healthz") == (503, b"stalled\n")
        metrics.RECORDS.labels("test-stage").inc()
        status, body = get(port, "/metrics")
        assert status == 200 and b'txmon_records_total{stage="test-stage"}' in body
    finally:
        server.shutdown()
