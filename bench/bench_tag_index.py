"""Benchmark of the hot-path tag index: lookups per second on one core, and resident memory.

Builds a :class:`enrich.index.TagIndex` over N tagged EVM addresses (deterministic
pseudo-random 20-byte addresses, spread over 1,000 entities as real lists are), streaming
the tags so that only the index stays resident, and reads the process's resident set size
(VmRSS) before and after. Then times ``tags_for`` on canonical lowercase addresses:
misses (the common case: almost no address a pipeline sees is tagged), hits, and a mix
with 1% hits; each case is run ``--repeat`` times and the median kept. Writes
bench/results/tag_index.json.

    .venv/bin/python bench/bench_tag_index.py [--addresses 1000000] [--lookups 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrich.index import TagIndex
from txmon.models import Tag, TagKind

RESULTS = Path(__file__).resolve().parent / "results" / "tag_index.json"


def rss_mib() -> float:
    """Current resident set size of this process in MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def addresses(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    return ("0x" + rng.randbytes(20).hex() for _ in range(count))


def tags(count: int) -> Iterator[Tag]:
    day = dt.date(2022, 8, 8)
    for n, address in enumerate(addresses(count, seed=1)):
        yield Tag(
            address=address,
            chain="evm",
            source="bench",
            kind=TagKind.SANCTION,
            entity=f"ENTITY {n % 1000}",
            category="sanctioned",
            programs=("CYBER2",),
            list_id=str(n % 1000),
            listed_at=day,
            dates_from="override",
        )


def rate(index: TagIndex, probes: list[str]) -> tuple[float, int]:
    lookup = index.tags_for
    start = time.perf_counter()
    hits = 0
    for probe in probes:
        if lookup(probe):
            hits += 1
    return len(probes) / (time.perf_counter() - start), hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median kept)")
    args = parser.parse_args()
    gc.collect()
    baseline = rss_mib()
    start = time.perf_counter()
    index = TagIndex.from_tags(tags(args.addresses))
    build_seconds = time.perf_counter() - start
    gc.collect()
    index_rss = rss_mib() - baseline
    tagged = list(addresses(min(args.lookups, args.addresses), seed=1))
    untagged = list(addresses(args.lookups, seed=2))
    mixed = untagged[: args.lookups * 99 // 100] + tagged[: args.lookups // 100]
    random.Random(3).shuffle(mixed)
    runs = {}
    for name, probes in (("miss", untagged), ("hit", tagged), ("mixed_1pct_hits", mixed)):
        samples = sorted(rate(index, probes) for _ in range(args.repeat))
        runs[name] = samples[len(samples) // 2]  # median: the machine may be shared
    result = {
        "tagged_addresses": len(index),
        "index_rss_mib": round(index_rss, 1),
        "baseline_rss_mib": round(baseline, 1),
        "build_seconds": round(build_seconds, 1),
        "lookups_per_second": {name: round(r) for name, (r, _) in runs.items()},
        "hits": {name: h for name, (_, h) in runs.items()},
        "lookups_per_run": args.lookups,
        "runs_per_case": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "date": dt.date.today().isoformat(),
        "targets": {"lookups_per_second": 1_000_000, "index_rss_mib_for_1m": 150},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
