"""Console alert queue with 100,000 alerts: page load time, server side.

Reproduce:  .venv/bin/python bench/bench_console_queue.py [--alerts 100000] [--runs 3]
                [--pages 200]
Writes bench/results/console_queue.json.

Setup (untimed): the demo's 5 alerts (``txmon demo``) are cloned into ``--alerts`` alerts
with distinct ids, spread over rules, severities, chains, dates and the retroactive flag,
and raised through ``AlertStore.raise_alert`` (the engine's own path) into an embedded
SQLite store; 10 % are assigned and 5 % moved to investigating through the activity log.
SQLite's fsync per append is switched off for this setup only (it would take minutes and
is not what is measured).

Each run starts a fresh app (``create_app`` with the console, as ``txmon api`` builds it)
on that store and times, through Starlette's TestClient (the whole ASGI app: routing, auth,
the queue index, Jinja2 rendering; no socket):

* ``start``: ``create_app`` — the console builds its queue index from the feed before the
  server would open its socket (the feed is read and decoded once);
* ``cold``: the first ``GET /queue`` after that;
* ``html``: ``--pages`` loads of ``GET /queue`` with a random filter mix
  (status/severity/rule/chain/retroactive/date range/assignee, random page offset);
* ``json``: the same mixes on ``GET /v1/console/alerts``.

Reported per run: p50, p95, max (ms); then min/median/max of each over the runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from alerts import activity
from alerts.store import AlertStore
from screening.api import create_app
from screening.auth import User
from screening.runtime import open_service
from txmon.app import App
from txmon.cli import main
from txmon.settings import load_settings
from txmon.store.sqlite import SqliteStore

RESULTS = Path(__file__).parent / "results"
TOKEN = "bench-analyst-token-0123456789"
SEVERITIES = ("critical", "high", "medium", "low")
CHAINS = ("ethereum", "bitcoin", "tron")


def _prepare(home: Path, count: int) -> None:
    CliRunner().invoke(main, ["--data-dir", str(home.parent), "demo"], catch_exceptions=False)
    store = SqliteStore(home / "store.sqlite")
    store._db.execute("PRAGMA synchronous=OFF")  # setup only (module docstring)
    alerts = AlertStore(store)
    templates = list(alerts.alerts())
    rng = random.Random(7)
    day0 = dt.date(2020, 1, 1)
    started = time.perf_counter()
    for n in range(count - len(templates)):
        base = templates[n % len(templates)]
        alerts.raise_alert(dataclasses.replace(
            base, id=hashlib.sha256(f"bench:{n}".encode()).hexdigest()[:32],
            severity=rng.choice(SEVERITIES), chain=rng.choice(CHAINS),
            as_of=day0 + dt.timedelta(days=rng.randrange(2000)),
            retroactive=rng.random() < 0.2, transfer_id=f"bench:{n}"))
    ids = [a.id for a in alerts.alerts()]
    for alert_id in rng.sample(ids, len(ids) // 10):
        activity.record(store, alert_id, "assignee", rng.choice(["alice", "sam"]), "bench",
                        "2026-01-01T00:00:00Z")
    for alert_id in rng.sample(ids, len(ids) // 20):
        activity.record(store, alert_id, "status", "investigating", "bench",
                        "2026-01-01T00:00:00Z")
    store.close()
    print(f"prepared {len(ids):,} alerts in {time.perf_counter() - started:.1f} s")


def _mixes(rng: random.Random, total: int) -> list[dict[str, str]]:
    out = []
    for _ in range(total):
        q: dict[str, str] = {}
        if rng.random() < 0.4:
            q["severity"] = rng.choice(SEVERITIES)
        if rng.random() < 0.3:
            q["status"] = rng.choice(["open", "investigating"])
        if rng.random() < 0.3:
            q["rule"] = rng.choice(["sanctions-direct", "sanctions-indirect"])
        if rng.random() < 0.3:
            q["chain"] = rng.choice(CHAINS)
        if rng.random() < 0.2:
            q["retroactive"] = rng.choice(["yes", "no"])
        if rng.random() < 0.2:
            q["since"], q["until"] = "2021-01-01", "2022-12-31"
        if rng.random() < 0.2:
            q["assignee"] = rng.choice(["alice", "sam", "-"])
        q["offset"] = str(rng.choice([0, 0, 0, 50, 500, 5000]))
        out.append(q)
    return out


def _timed(client: TestClient, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params, headers={"Authorization": f"Bearer {TOKEN}"})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text[:200]
    return elapsed


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "max": round(ordered[-1], 2)}


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _run(home: Path, pages: int, seed: int) -> dict[str, object]:
    os.environ["TXMON_DATA_DIR"] = str(home)
    app = App(load_settings())
    try:
        started = time.perf_counter()
        api = create_app(open_service(app), app.alert_store, {TOKEN: "analyst"},
                         {TOKEN: User("bench", "analyst")})
        start = (time.perf_counter() - started) * 1000
        with TestClient(api, base_url="http://127.0.0.1") as client:
            cold = _timed(client, "/queue", {})
            mixes = _mixes(random.Random(seed), pages)
            html = [_timed(client, "/queue", q) for q in mixes]
            api_q = [{("retroactive" if k == "retroactive" else k):
                      ({"yes": "true", "no": "false"}[v] if k == "retroactive" else v)
                      for k, v in q.items() if not (k == "assignee" and v == "-")}
                     for q in mixes]
            js = [_timed(client, "/v1/console/alerts", q) for q in api_q]
        return {"start_ms": round(start, 1), "cold_ms": round(cold, 1), "html": _stats(html),
                "json": _stats(js)}
    finally:
        app.close()


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="txmon-bench-console-") as tmp:
        home = Path(tmp) / "demo"
        _prepare(home, args.alerts)
        runs = [_run(home, args.pages, seed) for seed in range(args.runs)]
    for n, run in enumerate(runs, 1):
        print(f"run {n}: start {run['start_ms']} ms, cold {run['cold_ms']} ms; "
              f"html {run['html']}; json {run['json']}")

    def summary(pick: str, key: str) -> dict[str, float]:
        values = [r[pick][key] for r in runs]  # type: ignore[index]
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    result = {
        "bench": "console_queue", "alerts": args.alerts, "pages_per_run": args.pages,
        "runs": runs,
        "html_p95_ms": summary("html", "p95"), "json_p95_ms": summary("json", "p95"),
        "start_ms": _spread([float(r["start_ms"]) for r in runs]),  # type: ignore[arg-type]
        "cold_ms": _spread([float(r["cold_ms"]) for r in runs]),  # type: ignore[arg-type]
        "target": "p95 page load < 300 ms",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "console_queue.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"html p95 {result['html_p95_ms']} ms, json p95 {result['json_p95_ms']} ms → "
          "bench/results/console_queue.json")


if __name__ == "__main__":
    main_()
