"""Load, processes and private backends for the engine's fault tests.

The load is sanctioned deposits (one ``sanctions-direct`` alert each, from a depositor of
its own so that no other rule fires) mixed with clean transfers; the expected alerts are
therefore known exactly, and "0 lost, 0 duplicated" is a comparison of sets and counts.
Restart tests run their own Redis and Kafka (never the shared ones, which other tests
use) through ``redis-server`` and ``scripts/services`` with a private run dir and ports.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from alerts.feed import verify_events
from tests.pipeline_scenario import TEN_ETH, TORNADO_PROXY, transfer
from txmon.app import App
from txmon.bus.base import ALERTS, TRANSFERS, Producer
from txmon.wire import encode_transfer, loads

REPO = Path(__file__).resolve().parents[3]
CLEAN_A = "0x1b641dd835a092dbac879d55347559247e13e06c"
CLEAN_B = "0xd9e1ce17f2641f24ae83637ab66a2cca9c378b9f"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate, timeout: float, step: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


class Load:
    """Publishes ``rounds`` rounds of (one sanctioned deposit + ``clean`` transfers)."""

    def __init__(self, app: App, tag: str) -> None:
        self._app = app
        self._tag = tag
        self.deposits: list[str] = []  # tx hashes that must raise exactly one alert
        self._n = 0

    def publish(self, rounds: int, clean: int = 50, producer: Producer | None = None) -> None:
        producer = producer or self._app.producer()
        topic = self._app.topic(TRANSFERS)
        for _ in range(rounds):
            self._n += 1
            n = self._n
            depositor = f"0x{int(self._tag, 16):08x}{n:032x}"
            tx = f"0x{int(self._tag, 16):08x}{n:056x}"
            producer.send(topic, encode_transfer(transfer(tx, depositor, TORNADO_PROXY, TEN_ETH)),
                          key=b"ethereum")
            self.deposits.append(tx)
            for i in range(clean):
                clean_tx = f"0x{int(self._tag, 16):08x}{n:040x}{i:016x}"
                producer.send(topic, encode_transfer(transfer(clean_tx, CLEAN_A, CLEAN_B, 5)),
                              key=f"c{i % 7}".encode())
        producer.flush()

    def in_background(self, rounds: int, pause: float, clean: int = 50) -> threading.Thread:
        """Publish ``rounds`` rounds, one every ``pause`` seconds, from a thread."""
        producer = self._app.producer()

        def run() -> None:
            for _ in range(rounds):
                self.publish(1, clean, producer)
                time.sleep(pause)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


def stored_alert_txs(app: App) -> Counter[str]:
    return Counter(alert.tx_hash for alert in app.alert_store.alerts())


def feed_events(app: App, expected: int, timeout: float = 30.0) -> list[dict]:
    """Every event on the alerts topic (waits for ``expected``, then 2 s for extras)."""
    consumer = app.bus.consumer([app.topic(ALERTS)], f"{app.settings.namespace}-inspect")
    events: list[dict] = []
    deadline = time.monotonic() + timeout
    quiet_until: float | None = None
    while time.monotonic() < deadline:
        batch = [loads(m.value) for m in consumer.poll(timeout=0.5)]
        events += batch
        if len(events) >= expected and quiet_until is None:
            quiet_until = time.monotonic() + 2.0  # a duplicate would arrive right behind
        if quiet_until is not None and time.monotonic() >= quiet_until:
            break
    consumer.close()
    return events


def assert_exactly_once(app: App, deposits: list[str]) -> None:
    """Every deposit alerted once in the store and once on the feed; the chain intact."""
    stored = stored_alert_txs(app)
    missing = [tx for tx in deposits if stored[tx] == 0]
    assert not missing, f"{len(missing)} alerts lost, first {missing[:3]}"
    assert set(stored) == set(deposits) and max(stored.values()) == 1, "duplicated alerts"
    events = feed_events(app, len(deposits))
    ids = Counter(e["id"] for e in events)
    assert len(events) == len(deposits), f"feed has {len(events)} events for {len(deposits)}"
    assert max(ids.values()) == 1, "a duplicated event on the feed"
    assert verify_events(events) == len(deposits)


class EngineProcess:
    """A real ``txmon engine`` subprocess with /healthz on its own port."""

    def __init__(self, app: App, workdir: Path, group: str, *extra: str) -> None:
        settings = app.settings
        self.metrics_port = free_port()
        self.log = workdir / f"engine-{group}-{time.monotonic_ns()}.log"
        env = {**os.environ, "TXMON_BUS": settings.bus or "", "TXMON_STORE": settings.store or "",
               "TXMON_NAMESPACE": settings.namespace, "TXMON_DATA_DIR": str(workdir),
               "PYTHONPATH": str(REPO)}
        command = [sys.executable, "-m", "txmon", "engine", "--group", group,
                   "--metrics-port", str(self.metrics_port), *extra]
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(command, env=env, stdout=self._out,
                                     stderr=subprocess.STDOUT)

    def health(self) -> int | None:
        """HTTP status of /healthz (None: not answering)."""
        url = f"http://127.0.0.1:{self.metrics_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        self._out.close()

    def stop(self) -> str:
        """SIGTERM, wait, and return the process's output."""
        if self.alive():
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self._out.close()
        return self.log.read_text()


class PrivateRedis:
    """A Redis of the test's own on a free port, durable (AOF, fsync always)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "always",
             "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self._answers, 10), "private redis did not start"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: Redis syncs the AOF and exits
            self.proc.wait(timeout=20)
            self.proc = None


class PrivateKafka:
    """A second single-node KRaft Kafka via scripts/services, in a private run dir."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.controller_port = free_port()
        self.env = {**os.environ, "TXMON_RUN_DIR": str(workdir),
                    "TXMON_KAFKA_PORT": str(self.port),
                    "TXMON_KAFKA_CONTROLLER_PORT": str(self.controller_port)}
        self._script = str(REPO / "scripts" / "services")

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    def _run(self, action: str) -> None:
        done = subprocess.run([self._script, action, "kafka"], env=self.env,
                              capture_output=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr.decode()[-2000:]

    def start(self) -> None:
        self._run("up")

    def stop(self) -> None:
        self._run("down")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.env["TXMON_RUN_DIR"], ignore_errors=True)
