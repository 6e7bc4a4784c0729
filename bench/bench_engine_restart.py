"""Seconds from restarting a SIGKILLed ``txmon engine`` to its first new alert (Kafka + Redis).

Reproduce:  scripts/services up kafka redis
            .venv/bin/python bench/bench_engine_restart.py

For each configuration, in a namespace of its own on the shared Kafka and Redis: 60
sanctioned deposits among 3,060 transfers are queued, a ``txmon engine`` process is
SIGKILLed as soon as its first alert is stored, and a new one is started in the same
group; the figure is the time from that start to the next new alert. A new member waits for
the dead member's session to time out before the group gives it the partitions; a static
member (``--instance-id``, KIP-345) with the dead member's id gets them at once. The
session timeout is patched into the subprocess to compare kafka-python's default (45 s)
with txmon's (10 s, ``txmon.bus.kafka.SESSION_TIMEOUT_MS``).
Writes bench/results/engine_restart.json.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from kafka import KafkaAdminClient  # noqa: E402
from report import write_result  # noqa: E402  bench/report.py (run as a script from bench/)

from tests.integration.faults.engine_load import Load, stored_alert_txs, wait_for  # noqa: E402
from txmon.app import App  # noqa: E402
from txmon.bus.base import ALL_TOPICS  # noqa: E402
from txmon.settings import load_settings  # noqa: E402

KAFKA = os.environ.get("TXMON_TEST_KAFKA", "kafka://127.0.0.1:9092")
REDIS = os.environ.get("TXMON_TEST_REDIS", "redis://127.0.0.1:6379/0")


def restart_seconds(session_ms: int, static: bool) -> float:
    namespace = f"b{uuid.uuid4().hex[:10]}"
    with TemporaryDirectory() as work:
        app = App(load_settings(bus=KAFKA, store=REDIS, namespace=namespace, data_dir=work))
        app.bus  # noqa: B018 - creates the namespaced topics
        try:
            Load(app, uuid.uuid4().hex[:8]).publish(60)
            env = {**os.environ, "TXMON_BUS": KAFKA, "TXMON_STORE": REDIS,
                   "TXMON_NAMESPACE": namespace, "TXMON_DATA_DIR": work, "PYTHONPATH": str(ROOT)}
            code = (f"import txmon.bus.kafka as k; k.SESSION_TIMEOUT_MS = {session_ms}; "
                    "from txmon.cli.main import main; main(prog_name='txmon')")
            command = [sys.executable, "-c", code, "engine", "--group", "bench"]
            if static:
                command += ["--instance-id", "bench-0"]
            first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
            wait_for(lambda: stored_alert_txs(app), 60, 0.01)
            first.kill()
            first.wait()
            before = sum(stored_alert_txs(app).values())
            started = time.monotonic()
            again = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
            wait_for(lambda: sum(stored_alert_txs(app).values()) > before, 120, 0.05)
            took = time.monotonic() - started
            again.terminate()
            again.wait()
            return took
        finally:
            app.close()
            with contextlib.suppress(Exception):
                admin = KafkaAdminClient(bootstrap_servers=KAFKA.removeprefix("kafka://"))
                admin.delete_topics([app.topic(name) for name in ALL_TOPICS])
                admin.close()
            client = redis.Redis.from_url(REDIS)
            keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
            if keys:
                client.delete(*keys)


def main() -> None:
    cases = {"session_45s": (45_000, False), "session_10s": (10_000, False),
             "session_10s_static_member": (10_000, True)}
    figures = {name: round(restart_seconds(*case), 1) for name, case in cases.items()}
    write_result("engine_restart.json", {
        "what": "seconds from restarting a SIGKILLed engine to its first new alert",
        "kafka": KAFKA, **figures})


if __name__ == "__main__":
    main()
