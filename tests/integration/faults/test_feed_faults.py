"""Fault injection on the regulator feed, on real Kafka and Redis (issue 10 items 3 and 4).

* Foreign messages on ``txmon.alerts`` (not JSON, a forged sequence last+1 and 10^9): the
  engine starts, refuses and dead-letters them, and every genuine alert is still published.
* Redis losing acknowledged writes (a PRIVATE redis-server restarted from an older
  snapshot, or killed without persistence): the publisher halts with a clear error and
  publishes nothing, instead of re-using sequence numbers the topic already holds.
* The AOF policy of scripts/services (``--appendfsync everysec``) keeps writes older than
  about a second across a SIGKILL.

The shared Kafka is used with the test's own namespace; Redis faults use a private server
on a free port, never the shared one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from kafka import KafkaAdminClient

from alerts.feed import event_hash, verify_feed
from alerts.publisher import MAC_HEADER
from alerts.signing import Keyring, generate
from tests.pipeline_scenario import DEPOSITOR, TEN_ETH, TORNADO_PROXY, transfer
from txmon.app import App
from txmon.bus.base import ALERTS, ALL_TOPICS, DEADLETTER, TRANSFERS
from txmon.errors import FeedForkError
from txmon.settings import load_settings
from txmon.wire import dumps, encode_transfer, loads

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def script_redis_flags() -> list[str]:
    """The persistence flags scripts/services starts Redis with (so this tests the script)."""
    text = (REPO / "scripts" / "services").read_text()
    match = re.search(r"--appendonly (\S+) --appendfsync (\S+)", text)
    assert match, "scripts/services must configure Redis AOF with an fsync policy"
    return ["--appendonly", match.group(1), "--appendfsync", match.group(2)]


class PrivateRedis:
    """A redis-server of the test's own, on a free loopback port, in a temp dir."""

    def __init__(self, workdir: Path, flags: list[str]) -> None:
        self.dir = workdir
        self.flags = flags
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1",
             "--port", str(self.port), "--dir", str(self.dir), "--save", "", *self.flags],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown save, what an OOM kill or power loss does."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    (tmp_path / "redis").mkdir()
    server = PrivateRedis(tmp_path / "redis", ["--appendonly", "no"])
    yield server
    with contextlib.suppress(Exception):
        server.kill()


@pytest.fixture
def feed_key(tmp_path: Path) -> Path:
    generate(tmp_path / "feed.pem", tmp_path / "feed.pub.pem")
    return tmp_path / "feed.pem"


@pytest.fixture
def topics(kafka_url: str, namespace: str) -> Iterator[None]:
    """Delete the namespace's topics afterwards (apps here are built by the test)."""
    yield
    admin = KafkaAdminClient(bootstrap_servers=kafka_url.removeprefix("kafka://").split(","))
    with contextlib.suppress(Exception):
        admin.delete_topics([f"{namespace}.{name}" for name in ALL_TOPICS])
    admin.close()


def make_app(kafka_url: str, store_url: str, namespace: str, data: Path, key: Path) -> App:
    return App(load_settings(bus=kafka_url, store=store_url, namespace=namespace,
                             data_dir=data, feed_key_file=key, feed_checkpoint_every=2))


def run_engine(settings: tuple[str, str, str, Path, Path], group: str = "g",
               publish: bool = True) -> int:
    """One engine process's life: a fresh App, run until idle, close; new alerts stored."""
    app = make_app(*settings)
    try:
        return app.engine(group, publish=publish).run(idle_exit=3.0).alerts_new
    finally:
        app.close()


def send_deposits(app: App, first: int, count: int) -> None:
    """``count`` real-address Tornado Cash deposits: one direct-exposure alert each."""
    producer = app.producer()
    for n in range(first, first + count):
        deposit = transfer(f"0x{n:064x}", DEPOSITOR, TORNADO_PROXY, TEN_ETH)
        producer.send(app.topic(TRANSFERS), encode_transfer(deposit), key=b"ethereum")
    producer.flush()


def topic_messages(app: App, name: str) -> list:
    return list(reversed(list(app.bus.read_back(app.topic(name)))))


def dead_letters(app: App, want: int) -> list[tuple[bytes, str]]:
    """(value, reason) of the dead-letter topic (several partitions: read as a group)."""
    consumer = app.bus.consumer([app.topic(DEADLETTER)], f"{app.settings.namespace}-dlq")
    got: list = []
    for _ in range(30):
        got += consumer.poll(timeout=1.0)
        if len(got) >= want:
            break
    consumer.close()
    return [(m.value, dict(m.headers)["reason"].decode()) for m in got]


def forge(app: App, value: bytes) -> None:
    producer = app.bus.producer()
    producer.send(app.topic(ALERTS), value, key=b"alerts")
    producer.flush()
    producer.close()


def test_foreign_messages_hide_no_alert_and_do_not_stop_the_engine(
        kafka_url: str, redis_url: str, namespace: str, tmp_path: Path, feed_key: Path,
        redis_cleanup: None, topics: None) -> None:
    settings = (kafka_url, redis_url, namespace, tmp_path, feed_key)
    app = make_app(*settings)
    try:
        send_deposits(app, 1, 3)
        assert run_engine(settings) == 3
        last = loads(app.alert_store.raw_event(3))  # type: ignore[arg-type]
        forged = []
        for seq in (4, 10**9):  # linked to the real tail, hashes recomputed: a good forgery
            fake = {**last, "id": f"forged-{seq}", "sequence": seq, "prevhash": last["hash"]}
            fake["hash"] = event_hash(fake)
            forged.append(dumps(fake))
        for value in [b"\x00not json{", *forged]:
            forge(app, value)
        send_deposits(app, 10, 4)
    finally:
        app.close()

    restarted = make_app(*settings)
    try:
        assert restarted.engine("g").run(idle_exit=3.0).alerts_new == 4  # was: exit 2, hidden
        stored = [e["id"] for _, e in restarted.alert_store.events()]
        assert len(stored) == 7
        ours = [loads(m.value) for m in topic_messages(restarted, ALERTS)
                if MAC_HEADER in dict(m.headers)]
        report = verify_feed(ours, Keyring.load([tmp_path / "feed.pub.pem"]))
        assert (report.events, report.unsigned) == (7, 0)
        assert [r["id"] for r in ours if "sequence" in r] == stored  # every alert, once
        dead = dead_letters(restarted, 3)
        assert sorted(v for v, _ in dead) == sorted([b"\x00not json{", *forged])
        assert all(r.startswith("foreign message on the alerts topic") for _, r in dead)
        assert any("not JSON" in r for _, r in dead)
    finally:
        restarted.close()
    # The real process: a non-JSON message on the topic used to make `txmon engine` exit 2
    # at every start. Now it starts, logs the refusals and runs until idle.
    env = {"TXMON_BUS": kafka_url, "TXMON_STORE": redis_url, "TXMON_NAMESPACE": namespace,
           "TXMON_DATA_DIR": str(tmp_path), "TXMON_FEED_KEY_FILE": str(feed_key)}
    again = make_app(*settings)
    try:
        forge(again, b"\xffstill not json")  # on the tail, where the start-up walk looks
    finally:
        again.close()
    engine = run_cli(["engine", "--group", "g", "--idle-exit", "5"], env)
    assert engine.returncode == 0, engine.stderr
    assert "refused foreign message" in engine.stderr and "not JSON" in engine.stderr


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "txmon", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_redis_losing_acknowledged_writes_halts_the_publisher(
        kafka_url: str, namespace: str, tmp_path: Path, feed_key: Path,
        private_redis: PrivateRedis, topics: None) -> None:
    settings = (kafka_url, private_redis.url, namespace, tmp_path, feed_key)
    app = make_app(*settings)
    try:
        send_deposits(app, 1, 2)
        assert run_engine(settings) == 2
        private_redis.client().save()  # the last snapshot Redis will come back with
        send_deposits(app, 20, 3)
        assert run_engine(settings) == 3  # stored, published, offsets committed
        published = [m.value for m in topic_messages(app, ALERTS)]
    finally:
        app.close()
    private_redis.kill()  # no AOF: everything after the snapshot is gone
    private_redis.start()

    restarted = make_app(*settings)
    try:
        assert restarted.alert_store.count() == 2  # the store lost three acknowledged alerts
        with pytest.raises(FeedForkError, match="store ends at 2: the store lost acknowledged"):
            restarted.engine("g").run(idle_exit=3.0)
        env = {"TXMON_BUS": kafka_url, "TXMON_STORE": private_redis.url,
               "TXMON_NAMESPACE": namespace, "TXMON_DATA_DIR": str(tmp_path),
               "TXMON_FEED_KEY_FILE": str(feed_key)}
        cli = run_cli(["alerts", "publish", "--once"], env)
        assert cli.returncode == 2, cli.stderr
        assert "the store lost acknowledged writes" in cli.stderr
        # An engine that leaves publishing to the publisher refuses too, so the damaged
        # store does not hand out sequences 3.. again.
        send_deposits(restarted, 40, 1)
        with pytest.raises(FeedForkError):
            run_engine(settings, "g2", publish=False)
        assert restarted.alert_store.count() == 2
        assert [m.value for m in topic_messages(restarted, ALERTS)] == published
    finally:
        restarted.close()


def test_wiped_redis_does_not_restart_the_feed_from_one(
        kafka_url: str, namespace: str, tmp_path: Path, feed_key: Path,
        private_redis: PrivateRedis, topics: None) -> None:
    settings = (kafka_url, private_redis.url, namespace, tmp_path, feed_key)
    app = make_app(*settings)
    try:
        send_deposits(app, 1, 2)
        assert run_engine(settings) == 2
    finally:
        app.close()
    private_redis.kill()
    private_redis.start()  # no persistence at all: an empty store
    restarted = make_app(*settings)
    try:
        with pytest.raises(FeedForkError, match="store was wiped"):
            restarted.feed_publisher().publish_pending()
    finally:
        restarted.close()


def test_aof_everysec_of_the_services_script_survives_sigkill(tmp_path: Path) -> None:
    flags = script_redis_flags()
    assert flags == ["--appendonly", "yes", "--appendfsync", "everysec"]
    server = PrivateRedis(tmp_path, flags)
    try:
        client = server.client()
        client.set("acknowledged", b"1")
        time.sleep(2.0)  # everysec: fsynced within about a second
        server.kill()
        server.start()
        assert server.client().get("acknowledged") == b"1"
    finally:
        with contextlib.suppress(Exception):
            server.kill()
