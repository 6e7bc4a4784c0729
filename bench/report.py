"""Where a benchmark's figures go: ``bench/results/<name>.json`` plus stdout.

Every result records the interpreter, the core count and the UTC time of the run, so a
figure can be read against the machine that produced it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def write_result(name: str, result: dict[str, Any]) -> None:
    """Add the machine facts to ``result``, write it to results/``name`` and print it."""
    result = {**result, "python": platform.python_version(), "cpu_count": os.cpu_count(),
              "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(result, indent=2)
    (RESULTS / name).write_text(text + "\n")
    print(text)


# ---- docs/operations.md's performance table, generated from the result files ------------
# `python bench/report.py --write` rewrites the table between the markers below;
# tests/unit/test_bench_report.py fails when the docs and the results disagree, so a figure
# in the docs is always the one a result file holds (median, min–max, load as recorded).
DOCS = Path(__file__).parent.parent / "docs" / "operations.md"
BEGIN = "<!-- bench/report.py: begin (generated from bench/results; edit there) -->"
END = "<!-- bench/report.py: end -->"


def _k(value: float) -> str:
    """12345 → '12.3 k', 1234567 → '1.23 M'; small values as they are."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.2f} M"
    return f"{value / 1000:.1f} k" if value >= 1000 else f"{value:g}"


def _load(loads: list[float]) -> str:
    return f"load {min(loads):g}–{max(loads):g}" if loads else "load not recorded"


def _date(result: dict[str, Any]) -> str:
    return str(result.get("date", "?"))[:10]


def _spread(summary: dict[str, Any], metric: str, fmt: Any = _k) -> str:
    m = summary[metric]
    return f"{fmt(m['median'])} ({fmt(m['min'])}–{fmt(m['max'])})"


def _engine(result: dict[str, Any], what: str) -> str:
    base = next(k for k in result if k not in {"product", "per_run", "runs"}
                and isinstance(result[k], dict) and "steady_transfers_per_s" in result[k])
    product, baseline = result["product"], result[base]
    cpu = ""
    if "cpu_transfers_per_s" in product:
        cpu = (f", {_spread(product, 'cpu_transfers_per_s')} per CPU-second ({base}: "
               f"{_spread(baseline, 'cpu_transfers_per_s')})")
    return (f"{what}: {_spread(product, 'steady_transfers_per_s')} transfers/s from the first "
            f"batch on, {_spread(product, 'engine_transfers_per_s')} including the group join; "
            f"{base}: {_spread(baseline, 'steady_transfers_per_s')} / "
            f"{_spread(baseline, 'engine_transfers_per_s')}{cpu} (median (min–max) of "
            f"{result['runs']} interleaved runs each, {_date(result)}, "
            f"{_load(product['loadavg_1m_at_start'] + baseline['loadavg_1m_at_start'])}; "
            f"{_alerts(result, base)})")


def _alerts(result: dict[str, Any], base: str) -> str:
    """Whether the runs raised the same alerts (ids and evidence), from their digests."""
    digests = {label: {r.get("alerts_digest") for r in runs}
               for label, runs in result["per_run"].items()}
    if result["same_alerts_in_every_run"]:
        return "same alerts, ids and evidence, in every run of both versions"
    if all(len(d) == 1 for d in digests.values()):
        return (f"each version the same alerts in every run; the versions' alerts differ "
                f"(digests {next(iter(digests['product']))} and "
                f"{next(iter(digests[base]))})")
    return "runs of one version raised different alerts"


def _rules(result: dict[str, Any]) -> str:
    names = {"rules_with_exposure": "1 % tagged, exposure state on SQLite",
             "enrich_rules_no_exposure": "1 % tagged, no exposure state",
             "rules_with_exposure_untagged_traffic": "untagged traffic, exposure state"}
    parts = []
    loads: list[float] = []
    spread = all("transfers_per_s_per_core_min" in r for r in result["modes"].values())
    for mode, label in names.items():
        r = result["modes"][mode]
        if "transfers_per_s_per_core_min" in r:
            parts.append(f"{label}: {_k(r['transfers_per_s_per_core'])} "
                         f"({_k(r['transfers_per_s_per_core_min'])}–"
                         f"{_k(r['transfers_per_s_per_core_max'])})")
            loads += r["loadavg_1m_per_run"]
        else:
            parts.append(f"{label}: {_k(r['transfers_per_s_per_core'])}")
    how = (f"median (min–max) of {result.get('repeats', 3)} runs" if spread
           else "best of the repeats")
    return (f"transfers/s per core (CPU time), {how}, {_date(result)}, {_load(loads)}: "
            + "; ".join(parts))


def _screen(result: dict[str, Any]) -> str:
    base = next(k for k in result if isinstance(result[k], dict)
                and "seconds_median" in result[k] and k != "product")

    def s(v: float) -> str:
        return f"{v:.2f} s"

    product, baseline = result["product"], result[base]
    cpu = ""
    if "cpu_seconds_median" in product:
        cpu = (f"; CPU of the process {_spread(product, 'cpu_seconds_median', s)}, {base}: "
               f"{_spread(baseline, 'cpu_seconds_median', s)}")
    return (f"wall {_spread(product, 'seconds_median', s)}; {base}: "
            f"{_spread(baseline, 'seconds_median', s)}{cpu} (medians of {result['runs']} "
            f"interleaved runs of 1 process each, {_date(result)}, "
            f"{_load(product['loadavg_1m_at_start'] + baseline['loadavg_1m_at_start'])})")


def _tag_index(r: dict[str, Any]) -> str:
    lookups = r["lookups_per_second"]
    return (f"{_k(lookups['miss'])} misses/s, {_k(lookups['mixed_1pct_hits'])} lookups/s at "
            f"1 % hits per core; {r['tagged_addresses']:,} tagged addresses in "
            f"{r['index_rss_mib']} MiB (best of {r['runs_per_case']}, {_date(r)}, "
            "load not recorded)")


def _restart(r: dict[str, Any]) -> str:
    return (f"{r['session_10s']} s (10 s session), {r['session_45s']} s (45 s), "
            f"{r['session_10s_static_member']} s with `--instance-id` (one run each, "
            f"{_date(r)}, load not recorded)")


def _bitcoin(r: dict[str, Any]) -> str:
    core = r["per_core"]
    per = core["tx_per_cpu_s"]
    return (f"{_k(per['txmon'])} tx per CPU-second on SQLite ({core['ratio_txmon_vs_bare']} × "
            f"python-bitcoinlib's bare parse), {_k(per['txmon_redis'])} on Redis "
            f"({core['ratio_txmon_redis_vs_bare']} ×), {_k(per['txmon_mem'])} in memory "
            f"({core['ratio_txmon_mem_vs_bare']} ×); medians, load "
            f"{r['machine']['load_average_at_start'][0]} at start")


def _latency(r: dict[str, Any]) -> str:
    lat = r["send_to_alert"]
    return (f"p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms from `eth_sendTransaction` to the "
            f"stored alert over {r['payments']} payments (geth --dev, confirmations "
            f"{r['confirmations']}, poll {r['follower_poll_interval_s']} s; {_date(r)}, "
            "load not recorded)")


ROWS: list[tuple[str, str, Any, str]] = [
    # (stage, result file, how to word it, command)
    ("engine, Kafka + Redis, one consumer", "engine-kafka-redis.json",
     lambda r: _engine(r, "this version"),
     "`python bench/interleave.py --baseline <old checkout> --without hiredis "
     "--out engine-kafka-redis.json --metric engine_transfers_per_s "
     "--metric steady_transfers_per_s --metric cpu_transfers_per_s -- bench_engine.py "
     "--bus kafka://127.0.0.1:9092 "
     "--store redis://127.0.0.1:6379/0`"),
    ("engine, embedded (SQLite bus + store), history on", "engine.json",
     lambda r: _engine(r, "this version"),
     "`python bench/interleave.py --baseline <old checkout> --out engine.json "
     "--metric engine_transfers_per_s --metric steady_transfers_per_s "
     "--metric cpu_transfers_per_s -- bench_engine.py`"),
    ("`txmon screen ADDRESS` one-off (whole process, listed address)", "screen_startup.json",
     _screen, "`python bench/interleave.py --baseline <old checkout> --runs 10 --out "
     "screen_startup.json --metric seconds_median --metric cpu_seconds_median -- "
     "bench_screen_startup.py`"),
    ("enrich + rules hot loop, in-process", "rules.json", _rules,
     "`python bench/bench_rules.py`"),
    ("tag index lookups", "tag_index.json", _tag_index, "`python bench/bench_tag_index.py`"),
    ("engine restart after SIGKILL → first new alert", "engine_restart.json", _restart,
     "`python bench/bench_engine_restart.py`"),
    ("Bitcoin decode", "bitcoin.json", _bitcoin, "`python bench/bench_bitcoin.py`"),
    ("new block → alert latency, geth --dev, embedded", "block_alert_latency.json", _latency,
     "`python bench/bench_block_alert_latency.py`"),
]


def render_table(results: Path = RESULTS) -> str:
    """The markdown table of every row whose result file exists."""
    lines = [BEGIN, "", "| stage | figure | command | result file |", "|---|---|---|---|"]
    for stage, name, word, command in ROWS:
        path = results / name
        if path.exists():
            figure = word(json.loads(path.read_text()))
            lines.append(f"| {stage} | {figure} | {command} | `bench/results/{name}` |")
    lines += ["", END]
    return "\n".join(lines)


def with_table(doc: str, table: str) -> str:
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    return doc[:start] + table + doc[end:]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="docs/operations.md's figures from results")
    parser.add_argument("--write", action="store_true", help="rewrite the table in the docs")
    args = parser.parse_args()
    table = render_table()
    if args.write:
        DOCS.write_text(with_table(DOCS.read_text(), table))
    print(table)


if __name__ == "__main__":
    main()
