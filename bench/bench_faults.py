"""The fault-injection tier (issue 10), timed: how long each fault case takes, and that it held.

Reproduce:  scripts/services up
            .venv/bin/python bench/bench_faults.py [--runs 3]

Runs ``pytest tests/integration/faults`` (real Kafka and Redis; private Redis and Kafka
instances for the restart cases) ``--runs`` times and writes, per case, whether every run
passed and the wall time (median, min, max) to bench/results/faults.json. What each case
injects and asserts (0 alerts lost, 0 duplicated, chain intact, every bad record
dead-lettered with its reason) is in the test's docstring; docs/operations.md summarises.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from report import write_result  # bench/report.py (run as a script from bench/)

ROOT = Path(__file__).resolve().parents[1]


def one_run(junit: Path) -> dict[str, tuple[bool, float]]:
    """Each case's (passed, seconds) in one pytest run of the fault tier."""
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "tests/integration/faults", f"--junitxml={junit}"], cwd=ROOT, check=False)
    cases: dict[str, tuple[bool, float]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # our own junit file
        failed = any(child.tag in ("failure", "error", "skipped") for child in case)
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        cases[name] = (not failed, float(case.get("time", 0.0)))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    seen: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        for n in range(args.runs):
            for name, outcome in one_run(Path(scratch) / f"run{n}.xml").items():
                seen[name].append(outcome)
    cases = {}
    for name, outcomes in sorted(seen.items()):
        times = sorted(t for _, t in outcomes)
        cases[name] = {"passed": f"{sum(ok for ok, _ in outcomes)}/{len(outcomes)}",
                       "seconds_median": round(statistics.median(times), 1),
                       "seconds_min": round(times[0], 1), "seconds_max": round(times[-1], 1)}
    write_result("faults.json", {"benchmark": "fault-injection tier", "runs": args.runs,
                                 "cases": cases})


if __name__ == "__main__":
    main()
