"""Name-screening benchmark: txmon's matcher and nomenklatura's logic-v2, same candidates.

``.venv/bin/python bench/bench_names.py [--runs 3] [--no-peer]``

* Lists: OFAC SDN + UN + Japan MOF, loaded as txmon loads them (bench/names_lists.py).
* Queries: bench/data/names.jsonl (built by bench/make_names.py; labels in
  bench/data/README.md), split ``dev`` (looked at while tuning) / ``test`` (held out).
* txmon: ``NameMatcher.screen`` per query, in process; a query is *flagged* when a
  match is ``strong`` or ``possible`` (block / review), on the party or any party linked
  to it (``screening.links``). Latency is per query, with the per-query caches (kanji
  readings, romaji of query words) emptied before each run.
* peer: nomenklatura's ``logic-v2`` (bench/peer/requirements-names.txt) scores the query
  against every candidate txmon's index proposes for it (its own candidate generation is
  an index service, yente, not part of the library); flagged at score ≥ 0.7, yente's
  default match threshold. Its latency is the scoring of those candidates only.

Recall: positive queries flagged on an expected party. Precision: flagged queries whose
flags include an expected party, over all flagged queries (a negative or a namesake ruled
out by DOB that is flagged counts against it). Writes bench/results/names.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import names_lists

from screening import dates, kanji, text
from screening.matcher import NameMatcher, NameQuery

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "data" / "names.jsonl"
RESULTS = HERE / "results" / "names.json"
PEER_THRESHOLD = 0.7
CPU_RUNS: list[list[float]] = []  # per-query CPU time of each txmon run (load-independent)
Key = tuple[str, str]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _query(row: dict[str, Any]) -> NameQuery:
    dob = dt.date.fromisoformat(row["dob"]) if row.get("dob") else None
    return NameQuery(row["query"], dob)


def _clear_query_caches() -> None:
    for cached in (kanji.readings, kanji._entries, text._romaji):
        cached.cache_clear()


def run_txmon(matcher: NameMatcher, links: names_lists.PartyLinks,
              rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[float]]:
    _clear_query_caches()
    out, times, cpu = [], [], []
    for row in rows:
        query = _query(row)
        start, start_cpu = time.perf_counter(), time.thread_time()
        found = matcher.screen(query)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        flagged: set[Key] = set()
        decision = "allow"
        for m in found:
            if m.verdict in ("strong", "possible"):
                flagged.update(links.group((m.source, m.list_id)))
                decision = "block" if m.verdict == "strong" or decision == "block" else "review"
        out.append({"flagged": flagged, "decision": decision,
                    "top": [(m.source, m.list_id, m.score, m.verdict) for m in found[:3]]})
    CPU_RUNS.append(cpu)
    return out, times


class Peer:
    """nomenklatura logic-v2 over the candidates txmon's index proposes."""

    def __init__(self, matcher: NameMatcher, links: names_lists.PartyLinks) -> None:
        from followthemoney import model
        from nomenklatura.matching import LogicV2

        self.model, self.algo = model, LogicV2
        self.config = LogicV2.default_config()
        self.matcher, self.links = matcher, links
        self._entities: dict[int, Any] = {}
        self.runs = 0

    def _party(self, idx: int) -> Any:
        if idx not in self._entities:
            p = self.matcher.index.parties[idx]
            schema = {"individual": "Person", "vessel": "Vessel",
                      "aircraft": "Airplane"}.get(p.party_type, "Organization")
            e = self.model.make_entity(schema)
            e.id = f"{p.source}-{p.list_id}"
            e.add("name", [p.name, *p.aliases])
            if schema == "Person":
                for t in p.dob:
                    for d in dates.parse(t):
                        e.add("birthDate", f"{d.year:04d}" + (
                            f"-{d.month:02d}" + (f"-{d.day:02d}" if d.day else "")
                            if d.month else ""))
            self._entities[idx] = e
        return self._entities[idx]

    def candidates(self, row: dict[str, Any]) -> list[int]:
        return sorted({e.party for e, _, _ in self.matcher._scored(_query(row))})

    def run(self, rows: list[dict[str, Any]], pools: list[list[int]]
            ) -> tuple[list[dict[str, Any]], list[float]]:
        out, times = [], []
        self.runs += 1
        for n, (row, pool) in enumerate(zip(rows, pools, strict=True)):
            q = self.model.make_entity("Person" if row.get("dob") else "LegalEntity")
            # a fresh id per query and run: nomenklatura caches what it reads of an
            # entity by its id (the same id for every query scored only the first one)
            q.id = f"query-{self.runs}-{n}"
            q.add("name", row["query"])
            if row.get("dob"):
                q.add("birthDate", row["dob"])
            start = time.perf_counter()
            scores = [(self.algo.compare(q, self._party(i), self.config).score, i) for i in pool]
            times.append((time.perf_counter() - start) * 1000)
            flagged: set[Key] = set()
            for score, i in scores:
                if score >= PEER_THRESHOLD:
                    p = self.matcher.index.parties[i]
                    flagged.update(self.links.group((p.source, p.list_id)))
            out.append({"flagged": flagged, "decision": "review" if flagged else "allow"})
        return out, times


def metrics(rows: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    def score(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
        tp = fp = pos = 0
        for row, res in pairs:
            expect = {tuple(k) for k in row["expect"]}
            positive = row["decision"] != "allow"
            pos += positive
            if res["flagged"]:
                if positive and res["flagged"] & expect:
                    tp += 1
                else:
                    fp += 1
        return {"queries": len(pairs), "positives": pos, "tp": tp, "fp": fp,
                "recall": round(tp / pos, 4) if pos else None,
                "precision": round(tp / (tp + fp), 4) if tp + fp else None}

    pairs = list(zip(rows, results, strict=True))
    by_cat: dict[str, list] = defaultdict(list)
    by_split: dict[str, list] = defaultdict(list)
    for row, res in pairs:
        by_cat[row["category"]].append((row, res))
        by_split[row["split"]].append((row, res))
    decisions = {cat: round(sum(res["decision"] == row["decision"] for row, res in ps) / len(ps), 4)
                 for cat, ps in by_cat.items() if cat in ("dob-confirm", "dob-ruleout", "special")}
    return {"overall": score(pairs), "splits": {s: score(ps) for s, ps in sorted(by_split.items())},
            "categories": {c: score(ps) for c, ps in sorted(by_cat.items())},
            "decision_accuracy": decisions}


def misses(rows: list[dict[str, Any]], results: list[dict[str, Any]], split: str) -> list[str]:
    out = []
    for row, res in zip(rows, results, strict=True):
        if row["split"] != split:
            continue
        expect = {tuple(k) for k in row["expect"]}
        wrong = (row["decision"] != "allow" and not res["flagged"] & expect) or (
            row["decision"] == "allow" and res["flagged"])
        if wrong:
            out.append(f"{row['category']}: {row['query']} dob={row['dob']} "
                       f"want={row['decision']} {sorted(expect)[:2]} got={res['decision']} "
                       f"{res.get('top', '')}")
    return out


def _latency(runs: list[list[float]]) -> dict[str, Any]:
    p50s = [_pct(t, 0.5) for t in runs]
    p99s = [_pct(t, 0.99) for t in runs]
    return {"runs": len(runs), "queries_per_run": len(runs[0]),
            "p50_ms": {"min": round(min(p50s), 3), "median": round(statistics.median(p50s), 3),
                       "max": round(max(p50s), 3)},
            "p99_ms": {"min": round(min(p99s), 3), "median": round(statistics.median(p99s), 3),
                       "max": round(max(p99s), 3)},
            "max_ms": round(max(max(t) for t in runs), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--show-misses", choices=("dev", "test"))
    args = ap.parse_args()
    rows = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines()]
    start = time.perf_counter()
    matcher, links = names_lists.load()
    load_s = time.perf_counter() - start
    text.warm_up()  # as the service does before it serves
    gc.freeze()  # as ScreeningService.matcher() does: the index out of the collector's walk
    runs, results = [], []
    for _ in range(args.runs):
        results, times = run_txmon(matcher, links, rows)
        runs.append(times)
    report: dict[str, Any] = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]},
        "lists": {"parties": len(matcher.index.parties), "names": len(matcher.index),
                  "load_s": round(load_s, 1)},
        "queries": len(rows),
        "txmon": {**metrics(rows, results), "latency": _latency(runs),
                  "cpu_per_query": _latency(CPU_RUNS)},
    }
    if args.show_misses:
        print("\n".join(misses(rows, results, args.show_misses)))
    if not args.no_peer:
        peer = Peer(matcher, links)
        pools = [peer.candidates(r) for r in rows]
        peer.run(rows[:5], pools[:5])  # imports and lazy tables outside the timing
        peer_runs = []
        for _ in range(args.runs):
            peer_results, times = peer.run(rows, pools)
            peer_runs.append(times)
        report["peer"] = {"name": "nomenklatura logic-v2", "threshold": PEER_THRESHOLD,
                          "candidates_per_query": round(statistics.mean(map(len, pools)), 1),
                          **metrics(rows, peer_results), "latency": _latency(peer_runs)}
    # Latency depends on what else the cores run: earlier runs' figures are kept beside
    # the machine load they were measured under, so a quiet run does not hide a busy one.
    history = []
    if RESULTS.exists():
        previous = json.loads(RESULTS.read_text())
        history = previous.get("history", [])
    history.append({"at": report["at"], "load_avg_at_start": report["machine"]["load_avg_at_start"],
                    "txmon_wall": report["txmon"]["latency"],
                    "txmon_cpu": report["txmon"]["cpu_per_query"],
                    "recall": report["txmon"]["overall"]["recall"],
                    "precision": report["txmon"]["overall"]["precision"]})
    report["history"] = history[-10:]
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for who in ("txmon", "peer"):
        if who in report:
            r = report[who]
            print(f"{who}: recall {r['overall']['recall']} precision {r['overall']['precision']}"
                  f" | test {r['splits']['test']} | p50 {r['latency']['p50_ms']} "
                  f"p99 {r['latency']['p99_ms']}")
            if "cpu_per_query" in r:
                print("   cpu", r["cpu_per_query"]["p50_ms"], r["cpu_per_query"]["p99_ms"])
            print("  ", {c: v["recall"] for c, v in r["categories"].items()})
            print("  ", r["decision_accuracy"])


if __name__ == "__main__":
    main()
