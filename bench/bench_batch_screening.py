"""Batch screening throughput: ``txmon screen --batch`` lines/s with every line recorded.

Reproduce:  .venv/bin/python bench/bench_batch_screening.py [--runs 3] [--names 1000]
                [--addresses 200] [--store redis://127.0.0.1:6379/0]
Writes bench/results/batch_screening.json (…_redis.json with ``--store``; under a fresh
namespace whose keys are deleted afterwards).

The lists are the shipped seeds (OFAC SDN + ALT, the OFAC address lists, Japan MOF
2026-03-05), loaded once into an embedded (SQLite) data dir, as a fresh install has them.
Queries are real: every k-th listed party's name (so about every name matches something,
the expensive case) and every k-th listed address, in one NDJSON input; each run screens
the whole input through :func:`screening.batch.screen_lines` — the code path of the CLI,
each decision appended to the confirmation log on the store — once line by line (chunk 1:
what a pipe gets) and once in the CLI's chunks for a file on stdin (one store transaction
per chunk), and reports lines/s for both and per-line latency for chunk 1. The name
index is built once before the runs (its time is reported apart). The machine is shared
(2 cores), so the load average is recorded too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import write_result
from screening.batch import screen_lines
from screening.runtime import open_service
from screening.service import ScreeningService
from txmon.app import App
from txmon.cli.screen import CHUNK
from txmon.settings import load_settings


def _queries(service: ScreeningService, names: int, addresses: int) -> list[bytes]:
    parties = service.tag_store.parties()
    step = max(1, len(parties) // names)
    lines = [orjson.dumps({"id": f"n{i}", "name": p.name}) + b"\n"
             for i, p in enumerate(parties[::step][:names])]
    tags = sorted({t.address for t in service.tag_store.all_tags()})
    step = max(1, len(tags) // addresses)
    lines += [orjson.dumps({"id": f"a{i}", "address": a}) + b"\n"
              for i, a in enumerate(tags[::step][:addresses])]
    return lines


def _spread(values: list[float], digits: int) -> dict[str, float]:
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}


def _drop(url: str, namespace: str | None) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{namespace}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--addresses", type=int, default=200)
    parser.add_argument("--store", help="redis://… (default: embedded SQLite)")
    args = parser.parse_args()
    namespace = f"bench-batch-{uuid.uuid4().hex[:8]}" if args.store else None
    with tempfile.TemporaryDirectory(prefix="txmon-bench-batch-") as scratch:
        app = App(load_settings(data_dir=Path(scratch), store=args.store, namespace=namespace))
        service = open_service(app)
        started = time.perf_counter()
        service.matcher()
        index_s = time.perf_counter() - started
        lines = _queries(service, args.names, args.addresses)
        rates: dict[int, list[float]] = {1: [], CHUNK: []}
        p50s, p99s, decisions = [], [], {}
        for _ in range(args.runs):
            for chunk in (1, CHUNK):  # interleaved: machine noise hits both alike
                per_line = []
                begin = last = time.perf_counter()
                for outcome in screen_lines(service, lines, by="bench", chunk=chunk):
                    now = time.perf_counter()
                    per_line.append(now - last)
                    last = now
                    key = outcome.body.get("decision", "error")
                    decisions[key] = decisions.get(key, 0) + 1
                rates[chunk].append(len(lines) / (time.perf_counter() - begin))
                if chunk == 1:  # with a chunk, lines come out in bursts after each commit
                    ordered = sorted(per_line)
                    p50s.append(ordered[len(ordered) // 2] * 1000)
                    p99s.append(ordered[int(len(ordered) * 0.99)] * 1000)
        records = service.store.log_head("screening").seq
        app.close()
    if args.store:
        _drop(args.store, namespace)
    write_result("batch_screening_redis.json" if args.store else "batch_screening.json", {
        "benchmark": "screen --batch (screening.batch.screen_lines), "
                     + ("Redis store" if args.store else "embedded SQLite store"),
        "lines": len(lines), "names": args.names, "addresses": args.addresses,
        "runs": args.runs, "index_build_s": round(index_s, 2),
        "lines_per_s_chunk_1": _spread(rates[1], 0),
        f"lines_per_s_chunk_{CHUNK}": _spread(rates[CHUNK], 0),
        "per_line_ms_p50_chunk_1": {"min": round(min(p50s), 3), "median":
                            round(statistics.median(p50s), 3), "max": round(max(p50s), 3)},
        "per_line_ms_p99_chunk_1": {"min": round(min(p99s), 3), "median":
                            round(statistics.median(p99s), 3), "max": round(max(p99s), 3)},
        "decisions_all_runs": decisions, "confirmation_records": records,
        "loadavg_1m": os.getloadavg()[0]})


if __name__ == "__main__":
    main()
