"""`txmon screen ADDRESS` one-off: wall seconds of the whole process, as a user runs it.

Reproduce:  .venv/bin/python bench/bench_screen_startup.py [--runs 10]
            (against an older checkout: bench/interleave.py --metric seconds_median ...)

Each run is a fresh ``python -m txmon screen <address> --json`` process (interpreter start,
imports, opening the store and the tag index, the decision, the confirmation record) on
an embedded data dir seeded beforehand; seeding a fresh data dir is a one-time cost and
is not timed. The data dir is kept per txmon checkout (under the system temp dir), so
runs of two versions never share state. Each run's 1-minute load average is recorded:
the machine is shared. Writes bench/results/screen_startup.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import write_result  # bench/report.py (run as a script from bench/)

import txmon

# An ETH address in SEMENOV, Roman's OFAC SDN entry (still listed): the answer is a block,
# so the run reads the tag index and the cross-list party links for real.
ADDRESS = "0xdcbeffbecce100cce9e4b153c4e15cb885643193"


def data_dir() -> Path:
    checkout = hashlib.sha256(str(Path(txmon.__file__).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"txmon-bench-screen-{checkout}"


def screen(where: Path) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (user + system) of the process, and its answer."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "txmon", "--data-dir", str(where), "screen",
                           ADDRESS, "--json"], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", default="screen_startup.json")
    args = parser.parse_args()
    where = data_dir()
    seeded = where / ".bench-seeded"
    if not seeded.exists():
        screen(where)  # seeds a fresh data dir; not timed
        seeded.touch()
    env_load: list[float] = []
    seconds: list[float] = []
    cpu: list[float] = []
    answer: dict[str, object] = {}
    for _ in range(args.runs):
        env_load.append(round(os.getloadavg()[0], 2))
        took, used, answer = screen(where)
        seconds.append(round(took, 3))
        cpu.append(round(used, 3))
    ordered = sorted(seconds)
    write_result(args.out, {
        "benchmark": "screen_startup",
        "command": f"python -m txmon --data-dir <seeded> screen {ADDRESS} --json",
        "decision": answer["decision"],
        "runs": args.runs,
        "seconds_min": ordered[0],
        "seconds_median": statistics.median(ordered),
        "seconds_max": ordered[-1],
        "seconds_per_run": seconds,
        # CPU of the process: what the start-up costs when the machine is not shared
        "cpu_seconds_median": statistics.median(cpu),
        "cpu_seconds_per_run": cpu,
        "loadavg_1m_per_run": env_load,
    })


if __name__ == "__main__":
    main()
