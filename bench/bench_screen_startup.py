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


def screen(where: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "txmon", "--data-dir", str(where), "screen",
                           ADDRESS, "--json"], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", default="screen_startup.json")
    args = parser.parse_args()
    where = data_dir()
    _, answer = screen(where)  # seeds a fresh data dir; not timed
    env_load = []
    seconds = []
    for _ in range(args.runs):
        env_load.append(round(os.getloadavg()[0], 2))
        took, answer = screen(where)
        seconds.append(round(took, 3))
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
        "loadavg_1m_per_run": env_load,
    })


if __name__ == "__main__":
    main()
