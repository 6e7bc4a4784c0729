"""Screening API latency: p99 at a fixed request rate against ``txmon api`` on 127.0.0.1.

Reproduce:  .venv/bin/python bench/bench_screening_api.py [--rate 1000] [--seconds 10]
                [--connections 16] [--store redis://127.0.0.1:6379/0]
Writes bench/results/screening_api.json.

The server is the real command (``txmon api``) in its own process, on a fresh data dir
seeded from ``seeds/`` (full OFAC SDN + ALT: ~33,000 names and aliases; the per-asset
address lists), so every request also appends its confirmation record to the store.
The load is open-loop: request *i* is due at ``start + i / rate`` whatever the server
does, and latency is measured from that due time (so a stall is not hidden by sending
less — "coordinated omission"); the time from actually sending is recorded too. Requests
are a fixed mix: 70 % address screenings (sanctioned, mixer, unlisted, with and without a
customer), 30 % name screenings (Latin, Cyrillic, kana; with DOB and country).

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams: httpx/requests
spend more per request than the server does, so they would measure themselves. The
machine's core count and load average are recorded: on a shared 2-core machine the client
and the server compete for the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "screening_api.json"
TOKEN = "bench-analyst-token-0123456789"
ADDRESSES = [
    {"address": "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193", "chain": "ethereum"},  # SDN
    {"address": "0x8589427373D6D84E98730D7795D8f6f8731FDA16", "chain": "ethereum"},
    {"address": "0x00000000219ab540356cBB839Cbe05303d7705Fa", "chain": "ethereum"},
    {"address": "0x00000000219ab540356cBB839Cbe05303d7705Fa", "customer": "A1"},
    {"address": "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6", "chain": "bitcoin"},
    {"address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"},
    {"address": "0x722122dF12D4e14e13Ac3b6895a86e84145b6967"},
]
NAMES = [
    {"name": "Роман Семенов", "dob": "1987-11-08", "country": "RU"},
    {"name": "Anton Andreev"},
    {"name": "Taro Yamada", "dob": "1980-01-01", "country": "JP"},
    {"name": "しのだ けんいち"},
    {"name": "Mohammed Ali", "country": "SA"},
    {"name": "John Smith"},
]


def mix(count: int) -> list[tuple[str, bytes]]:
    """``count`` requests, 7 of every 10 address screenings, in a fixed order."""
    out = []
    for i in range(count):
        if i % 10 < 7:
            body, path = ADDRESSES[i % len(ADDRESSES)], "/v1/screen/address"
        else:
            body, path = NAMES[i % len(NAMES)], "/v1/screen/name"
        payload = json.dumps(body).encode()
        out.append((path, (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           f"Authorization: Bearer {TOKEN}\r\n"
                           f"Content-Type: application/json\r\n"
                           f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload))
    return out


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def run_load(port: int, rate: float, seconds: float, connections: int) -> dict:
    requests = mix(int(rate * seconds))
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    due_lat: list[float] = []
    sent_lat: list[float] = []
    errors: dict[str, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (item := await queue.get()) is not None:
                due, raw = item
                sent = time.perf_counter()
                writer.write(raw)
                status = await read_response(reader)
                done = time.perf_counter()
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                due_lat.append(done - due)
                sent_lat.append(done - sent)
        finally:
            writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    for i, (_, raw) in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, raw))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    return {"requests": len(requests), "elapsed_s": round(elapsed, 3),
            "achieved_rps": round(len(requests) / elapsed, 1), "errors": errors,
            "latency_from_due_ms": summary(due_lat), "latency_from_send_ms": summary(sent_lat)}


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 3)

    return {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "p999": pct(0.999),
            "max": round(ms[-1], 3), "mean": round(statistics.fmean(ms), 3)}


def run(coro: Coroutine[Any, Any, dict]) -> dict:
    """uvloop when installed (the server uses it too): the client's own cost is lower."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        total += cpu_seconds(int(child))
    return total


def drop_namespace(url: str, namespace: str) -> None:
    """Remove the run's keys (tag lists, confirmation log) from the shared Redis."""
    import redis

    client = redis.Redis.from_url(url)
    for batch in iter(lambda: list(client.scan_iter(match=f"{namespace}:*", count=1000))[:1000],
                      []):
        client.delete(*batch)
    client.close()


def start_server(data_dir: Path, port: int, store: str | None,
                 workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TXMON_API_TOKENS": f"{TOKEN}=analyst", "TXMON_LOG_LEVEL": "WARNING"}
    cmd = [str(Path(sys.executable).with_name("txmon")), "--data-dir", str(data_dir)]
    if store:
        env["TXMON_NAMESPACE"] = f"bench{os.getpid()}"
        cmd += ["--store", store]
    cmd += ["api", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with (contextlib.suppress(OSError),
              urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)):
            return server
        if server.poll() is not None:
            raise SystemExit(f"txmon api exited with {server.returncode}")
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("txmon api did not come up")


def measure(port: int, server: subprocess.Popen[bytes], rate: float,
            args: argparse.Namespace) -> dict:
    """One bounded run at ``rate`` after a warm-up at the same rate."""
    run(run_load(port, rate, args.warmup, args.connections))
    server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
    result = run(run_load(port, rate, args.seconds, args.connections))
    server_cpu = cpu_seconds(server.pid) - server_cpu
    client_cpu = time.process_time() - client_cpu
    result.update({
        "rate_rps": rate, "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "server_cpu_ms_per_request": round(server_cpu * 1000 / result["requests"], 3),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / result["requests"], 3),
    })
    print(f"{rate:>6.0f} req/s: p50 {result['latency_from_due_ms']['p50']} ms, "
          f"p99 {result['latency_from_due_ms']['p99']} ms, "
          f"server CPU {result['server_cpu_ms_per_request']} ms/request", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, nargs="+", default=[1000.0],
                        help="one or more request rates; each gets its own bounded run")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=18087)
    parser.add_argument("--store", help="redis://… to keep the confirmation log in Redis")
    parser.add_argument("--workers", type=int, default=1, help="txmon api --workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), args.port, args.store, args.workers)
        try:
            runs = [measure(args.port, server, rate, args) for rate in args.rate]
        finally:
            server.terminate()
            server.wait(10)
            if args.store:
                drop_namespace(args.store, f"bench{os.getpid()}")
    result = {
        "goal": "p99 <= 5 ms at 1000 requests/s", "runs": runs, "seconds": args.seconds,
        "connections": args.connections, "server_workers": args.workers,
        "store": "redis" if args.store else "embedded (SQLite)",
        "mix": "70% address / 30% name screenings, each with its confirmation record",
        "latency": "ms from each request's due time (open loop); from_send excludes queueing "
                   "in the client",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "loadavg_before": os.getloadavg()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
