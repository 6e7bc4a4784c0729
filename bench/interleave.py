"""Run a benchmark on this checkout and on an older one, interleaved, and keep both.

Reproduce (the older version as a plain copy of a commit, not a worktree):

    mkdir /tmp/base && git archive <commit> | tar -x -C /tmp/base
    .venv/bin/python bench/interleave.py --baseline /tmp/base --without hiredis \\
        --out engine-kafka-redis.json --metric engine_transfers_per_s \\
        --metric steady_transfers_per_s -- bench_engine.py \\
        --bus kafka://127.0.0.1:9092 --store redis://127.0.0.1:6379/0

The machine is shared and its load drifts, so one version's runs all before the other's
would compare two different machines. Each round runs both, in alternating order, each
as its own process (``<script> --runs 1 --out <scratch>``) with the same interpreter and
harness: the baseline differs only in ``PYTHONPATH`` pointing at its checkout, and
``--without`` hides packages the baseline did not depend on (e.g. hiredis, which redis-py
would otherwise pick up for the old code too). Each run's 1-minute load average is kept.
Writes bench/results/<out>: per version min / median / max of each metric, every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from report import write_result  # bench/report.py (run as a script from bench/)

BENCH = Path(__file__).resolve().parent


def _shim(scratch: Path, hidden: list[str]) -> Path:
    """A sitecustomize that makes ``hidden`` packages unimportable (ImportError)."""
    shim = scratch / "shim"
    shim.mkdir()
    lines = ["import sys"] + [f"sys.modules[{name!r}] = None" for name in hidden]
    (shim / "sitecustomize.py").write_text("\n".join(lines) + "\n")
    return shim


def _one(script: list[str], out: Path, pythonpath: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    load = os.getloadavg()[0]
    subprocess.run([sys.executable, str(BENCH / script[0]), *script[1:], "--runs", "1",
                    "--out", str(out)], check=True, env=env, cwd=BENCH,
                   stdout=subprocess.DEVNULL)
    result: dict[str, Any] = json.loads(out.read_text())
    result["loadavg_1m_at_start"] = round(load, 2)
    return result


def summary(runs: list[dict[str, Any]], metrics: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for metric in metrics:
        values = sorted(r[metric] for r in runs)
        out[metric] = {"min": values[0], "median": statistics.median(values),
                       "max": values[-1]}
    out["loadavg_1m_at_start"] = [r["loadavg_1m_at_start"] for r in runs]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, type=Path, help="older checkout")
    parser.add_argument("--baseline-label", default="baseline")
    parser.add_argument("--without", action="append", default=[],
                        help="package the baseline did not use (hidden from it)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", required=True, help="result file under bench/results/")
    parser.add_argument("--metric", action="append", required=True)
    parser.add_argument("script", nargs=argparse.REMAINDER,
                        help="-- bench_x.py [its arguments]")
    args = parser.parse_args()
    script = [a for a in args.script if a != "--"]
    product: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        base_path = str(args.baseline.resolve())
        if args.without:
            base_path = f"{_shim(where, args.without)}{os.pathsep}{base_path}"
        for n in range(args.runs):
            order = [("product", None), ("baseline", base_path)]
            for label, path in order if n % 2 == 0 else order[::-1]:
                result = _one(script, where / f"{label}-{n}.json", path)
                (product if label == "product" else baseline).append(result)
    digests = {r.get("alerts_digest") for r in product + baseline}
    result = {
        "benchmark": f"{script[0]} interleaved with {args.baseline_label}",
        "command": " ".join(script),
        "runs": args.runs,
        "same_alerts_in_every_run": len(digests) == 1,
        "alerts_digest": sorted(d for d in digests if d),
        "product": summary(product, args.metric),
        args.baseline_label: summary(baseline, args.metric),
        "baseline_hidden_packages": args.without,
        "per_run": {"product": product, args.baseline_label: baseline},
    }
    write_result(args.out, result)


if __name__ == "__main__":
    main()
