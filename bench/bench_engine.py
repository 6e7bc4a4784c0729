"""Engine throughput: transfers/s through consume → enrich → rules → alerts, one core.

Reproduce:  .venv/bin/python bench/bench_engine.py [--transfers 20000]
            .venv/bin/python bench/bench_engine.py --bus kafka://127.0.0.1:9092 \
                --store redis://127.0.0.1:6379/0          (real services)
Writes bench/results/engine[-kafka-redis].json. 1 % of the transfers pay a real OFAC-listed
address (seeds/ofac), the rest random addresses, which is far more hits than live traffic.

``engine_transfers_per_s`` times ``Engine.run`` from its start (the consumer group's join
included); ``steady_transfers_per_s`` from the first batch on (what a running engine does);
``cpu_transfers_per_s`` per CPU-second of the engine's process (all its threads, the idle
wait included), the figure least moved by other processes on a shared machine.
Each run records the machine's load average (the machine is shared) and a digest of the
alerts raised (ids and evidence), so runs of two versions can be checked to raise the same
alerts. ``--out`` names another result file: run the same script with ``PYTHONPATH`` set to
an older checkout to time that version with this harness (interleave the two).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import statistics
import tempfile
import time
import uuid

from report import write_result  # bench/report.py (run as a script from bench/)

from txmon.app import App
from txmon.bus.base import TRANSFERS
from txmon.models import Asset, Leg, Transfer
from txmon.settings import SEEDS_DIR, load_settings
from txmon.wire import alert_to_wire, dumps, encode_transfer


def listed_eth_addresses() -> list[str]:
    lists = sorted((SEEDS_DIR / "ofac").glob("address-lists-*/sanctioned_addresses_ETH.txt"))
    return [line.strip().lower() for line in lists[-1].read_text().splitlines() if line.strip()]


def make_transfers(count: int, listed: list[str], rng: random.Random) -> list[bytes]:
    eth = Asset("ethereum", "ETH", 18)
    when = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    out = []
    for i in range(count):
        sender = "0x" + rng.randbytes(20).hex()
        receiver = rng.choice(listed) if i % 100 == 0 else "0x" + rng.randbytes(20).hex()
        amount = rng.randrange(1, 10**21)
        transfer = Transfer(
            "ethereum",
            "mainnet",
            eth,
            "0x" + rng.randbytes(32).hex(),
            0,
            19_000_000 + i // 150,
            "0x" + "00" * 32,
            when,
            (Leg(sender, amount),),
            (Leg(receiver, amount),),
        )
        out.append(encode_transfer(transfer))
    return out


def run_once(args: argparse.Namespace, payloads: list[bytes]) -> dict[str, float]:
    """One fresh namespace: publish the transfers, then time the engine draining them."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(
            data_dir=scratch,
            bus=args.bus,
            store=args.store,
            namespace=f"bench{uuid.uuid4().hex[:6]}",
        )
        app = App(settings)
        app.tag_index  # noqa: B018 - seed and build the index outside the timing
        producer = app.producer()
        started = time.perf_counter()
        for payload in payloads:
            producer.send(app.topic(TRANSFERS), payload, key=b"ethereum")
        producer.flush()
        publish_s = time.perf_counter() - started
        engine = app.engine("bench")
        first_batch: list[float] = []
        process_batch = engine.process_batch

        def timed_batch(messages: list, _inner=process_batch) -> None:  # type: ignore[type-arg]
            if not first_batch:
                first_batch.append(time.perf_counter())
            _inner(messages)

        engine.process_batch = timed_batch  # type: ignore[method-assign]
        load_before = os.getloadavg()[0]
        cpu_started = time.process_time()
        started = time.perf_counter()
        stats = engine.run(idle_exit=2.0)
        ended = time.perf_counter() - 2.0  # minus the idle wait that ends it
        cpu_s = time.process_time() - cpu_started  # this process, all threads; idle included
        engine_s = ended - started
        # From the first batch on: without the consumer group's join (Kafka's
        # group.initial.rebalance.delay.ms, 3 s by default), which a long-running engine
        # pays once at start, not per transfer.
        steady_s = ended - first_batch[0]
        load_after = os.getloadavg()[0]
        digest = hashlib.sha256(b"".join(sorted(
            dumps(alert_to_wire(a)) for a in stats.new_alerts))).hexdigest()[:16]
        app.close()
        if args.store:
            import redis

            client = redis.Redis.from_url(args.store)
            keys = list(client.scan_iter(match=f"{settings.namespace}:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
    return {"transfers": stats.transfers, "alerts": stats.alerts_new, "alerts_digest": digest,
            "publish_per_s": len(payloads) / publish_s,
            "engine_per_s": stats.transfers / engine_s,
            "steady_per_s": stats.transfers / steady_s,
            "cpu_per_s": stats.transfers / cpu_s,
            "loadavg_1m": [round(load_before, 2), round(load_after, 2)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3, help="repeats (median, min, max)")
    parser.add_argument("--bus")
    parser.add_argument("--store")
    parser.add_argument("--out", help="result file name (default engine[-kafka-redis].json)")
    args = parser.parse_args()
    rng = random.Random(7)
    payloads = make_transfers(args.transfers, listed_eth_addresses(), rng)
    runs = [run_once(args, payloads) for _ in range(args.runs)]
    if len({(r["transfers"], r["alerts"], r["alerts_digest"]) for r in runs}) != 1:
        raise SystemExit(f"runs disagree on transfers/alerts: {runs}")
    rates = sorted(round(r["engine_per_s"]) for r in runs)
    steady = sorted(round(r["steady_per_s"]) for r in runs)
    cpu = sorted(round(r["cpu_per_s"]) for r in runs)
    result = {
        "benchmark": "engine",
        "backends": {"bus": args.bus or "embedded", "store": args.store or "embedded"},
        "transfers": runs[0]["transfers"],
        "alerts": runs[0]["alerts"],
        "alerts_digest": runs[0]["alerts_digest"],
        "runs": len(runs),
        "publish_transfers_per_s": round(statistics.median(r["publish_per_s"] for r in runs)),
        "engine_transfers_per_s": round(statistics.median(rates)),
        "engine_transfers_per_s_min": rates[0],
        "engine_transfers_per_s_max": rates[-1],
        "steady_transfers_per_s": round(statistics.median(steady)),
        "steady_transfers_per_s_min": steady[0],
        "steady_transfers_per_s_max": steady[-1],
        "cpu_transfers_per_s": round(statistics.median(cpu)),
        "cpu_transfers_per_s_min": cpu[0],
        "cpu_transfers_per_s_max": cpu[-1],
        "per_run": [{"engine_transfers_per_s": round(r["engine_per_s"]),
                     "steady_transfers_per_s": round(r["steady_per_s"]),
                     "loadavg_1m_before_after": r["loadavg_1m"]} for r in runs],
    }
    name = args.out or ("engine.json" if not args.bus else "engine-kafka-redis.json")
    write_result(name, result)


if __name__ == "__main__":
    main()
