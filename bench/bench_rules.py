"""Enrich + rules hot loop in-process: transfers/s on one core, no bus, no decoding.

Reproduce:  .venv/bin/python bench/bench_rules.py [--transfers 200000] [--batch 500]

What is timed, per mode, over the same N synthetic ETH transfers (1 % pay a real
OFAC-listed ETH address from ``seeds/ofac``, the rest random addresses; a few of the
receivers of listed funds pay on again, so indirect exposure is exercised too):

* ``rules_with_exposure`` — exactly the engine's per-batch work minus the bus and the
  alert store: ``RuleEngine.prefetch(batch)`` (one ``get_many`` of the taint state), then
  ``Enricher.enrich`` + ``RuleEngine.evaluate`` per transfer, then ``release()`` (one
  atomic ``put_many`` of the batch's state changes and per-transfer results, when any
  transfer was tainted; as in production). The exposure state lives in a scratch
  SqliteStore (the embedded backend).
* ``enrich_rules_no_exposure`` — ``Enricher.enrich`` + ``RuleEngine.evaluate`` with a
  rule engine without a store: no taint state, so no store reads or writes at all.
* ``rules_with_exposure_untagged_traffic`` — as the first, on N transfers none of which
  touches a listed address (closer to live traffic, where far fewer than 1 % do): only the
  batch read of the taint state, no state writes.

Not timed: building the transfers, seeding the tag store and building the TagIndex (the
real one, from ``seeds/`` via ``enrich.runtime.open_tag_index`` on a scratch SqliteStore).
Writes bench/results/rules.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from report import write_result  # bench/report.py (run as a script from bench/)

from enrich.enricher import Enricher
from enrich.runtime import open_tag_index
from rules.engine import RuleEngine
from rules.prices import PriceTable
from rules.rulebook import load_rulebook
from txmon.models import Asset, Leg, Transfer
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore

ETH = Asset("ethereum", "ETH", 18)
WHEN = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)


def listed_eth_addresses() -> list[str]:
    lists = sorted((SEEDS_DIR / "ofac").glob("address-lists-*/sanctioned_addresses_ETH.txt"))
    return [line.strip().lower() for line in lists[-1].read_text().splitlines() if line.strip()]


def make_transfers(count: int, listed: list[str], rng: random.Random) -> list[Transfer]:
    """1 % from or to a listed address; every 10th receiver of listed funds pays on later."""
    out: list[Transfer] = []
    tainted: list[str] = []
    for i in range(count):
        sender = "0x" + rng.randbytes(20).hex()
        receiver = "0x" + rng.randbytes(20).hex()
        if i % 100 == 0 and listed:
            sender = rng.choice(listed)
            tainted.append(receiver)
        elif i % 1000 == 50 and tainted:
            sender = tainted.pop(0)  # one hop further: indirect exposure
        amount = rng.randrange(1, 10**21)
        out.append(Transfer("ethereum", "mainnet", ETH, "0x" + rng.randbytes(32).hex(), 0,
                            19_000_000 + i // 150, "0x" + "00" * 32, WHEN,
                            (Leg(sender, amount),), (Leg(receiver, amount),)))
    return out


def run(transfers: list[Transfer], enricher: Enricher, rules: RuleEngine,
        batch: int) -> tuple[float, int]:
    """Seconds of CPU time for the whole list, and the number of alerts raised."""
    alerts = 0
    enrich, evaluate = enricher.enrich, rules.evaluate
    started = time.process_time()
    for start in range(0, len(transfers), batch):
        part = transfers[start:start + batch]
        rules.prefetch(part)
        for transfer in part:
            alerts += len(evaluate(enrich(transfer)))
        rules.release()
    return time.process_time() - started, alerts


def repeated(repeats: int, count: int,
             once: Callable[[], tuple[float, int]]) -> dict[str, object]:
    """min / median / max transfers/s over ``repeats`` runs, with each run's load average."""
    rates, loads, alerts = [], [], set()
    for _ in range(repeats):
        loads.append(round(os.getloadavg()[0], 2))
        seconds, raised = once()
        rates.append(round(count / seconds))
        alerts.add(raised)
    if len(alerts) != 1:
        raise SystemExit(f"runs disagree on the alerts raised: {sorted(alerts)}")
    ordered = sorted(rates)
    return {"alerts": alerts.pop(), "transfers_per_s_per_core": round(statistics.median(rates)),
            "transfers_per_s_per_core_min": ordered[0],
            "transfers_per_s_per_core_max": ordered[-1],
            "per_run": rates, "loadavg_1m_per_run": loads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500, help="transfers per prefetch")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    transfers = make_transfers(args.transfers, listed_eth_addresses(), random.Random(7))
    untagged = make_transfers(args.transfers, [], random.Random(8))
    rulebook = load_rulebook(SEEDS_DIR / "rulebook.yaml")
    prices = PriceTable.load(SEEDS_DIR / "prices.csv")
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        tags = SqliteStore(Path(scratch) / "tags.db")
        enricher = Enricher(open_tag_index(tags, SEEDS_DIR))

        def with_exposure(batch: list[Transfer] = transfers) -> tuple[float, int]:
            # a fresh state store per repeat: the same transfers must not be applied twice
            state = SqliteStore(Path(scratch) / f"state-{time.monotonic_ns()}.db")
            try:
                return run(batch, enricher, RuleEngine(rulebook, store=state, prices=prices),
                           args.batch)
            finally:
                state.close()

        def without_exposure() -> tuple[float, int]:
            return run(transfers, enricher, RuleEngine(rulebook, prices=prices), args.batch)

        for name, once in (("rules_with_exposure", with_exposure),
                           ("enrich_rules_no_exposure", without_exposure),
                           ("rules_with_exposure_untagged_traffic",
                            lambda: with_exposure(untagged))):
            results[name] = repeated(args.repeats, len(transfers), once)
        tags.close()
    result = {
        "benchmark": "rules",
        "transfers": len(transfers),
        "listed_share": "0.01 (0 in the untagged_traffic mode)",
        "batch": args.batch,
        "timed": "CPU time (time.process_time) of enrich + evaluate per transfer, plus "
                 "prefetch/release per batch; median, min and max of the repeats",
        "repeats": args.repeats,
        "modes": results,
    }
    write_result("rules.json", result)


if __name__ == "__main__":
    main()
