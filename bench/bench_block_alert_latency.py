"""New block → stored alert latency on geth --dev, through the real follower and engine.

Reproduce:  scripts/services up geth
            .venv/bin/python bench/bench_block_alert_latency.py [--count 50] [--poll 0.2]

In one process, on the embedded backends in a scratch data dir: the Ethereum follower
(``txmon ingest ethereum`` — confirmations 0, poll interval ``--poll``) and the engine
(``txmon engine``) each run in a thread, exactly as the CLI builds them (``txmon.app.App``).
A fresh address is loaded through the tag store as a sanctions list (next to the seeded
lists). Then, one at a time, geth's unlocked dev account pays that address; geth --dev
mines a block per transaction. Each payment waits a random 0..poll-interval first, so it
lands at a random phase of the follower's poll cycle, as live traffic does (sending right
after the previous alert would always hit the same phase). For each payment we record:

* ``send_to_alert``: wall time from just before ``eth_sendTransaction`` to the moment the
  ``sanctions-direct`` alert is readable in the AlertStore (polled every 5 ms) — the
  primary figure: it includes mining, the follower's poll wait, fetching the block and
  its traces, the bus, enrich + rules and the alert store write;
* not the block timestamp: geth --dev stamps blocks in whole seconds and, mining a block
  per transaction, runs its timestamps ahead of the wall clock (parent + 1 s when blocks
  come faster than one a second), so "block time → alert" would be negative. The skew of
  the blocks seen is reported (``block_timestamp_minus_send_s``) to show this.

Bounded: stops after ``--count`` payments or ``--budget`` seconds, whichever is first.
Writes bench/results/block_alert_latency.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import threading
import time

from eth_account import Account
from report import write_result  # bench/report.py (run as a script from bench/)
from web3 import Web3

from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from ingest.ethereum.source import EthereumSource
from ingest.follower import Follower
from ingest.rpc import RpcClient
from txmon.app import App
from txmon.bus.base import DEADLETTER, TRANSFERS
from txmon.models import Tag, TagKind
from txmon.settings import load_settings
from txmon.wire import alert_from_wire


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a measured latency)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(1000 * percentile(values, 0.50), 1),
            "p99_ms": round(1000 * percentile(values, 0.99), 1),
            "mean_ms": round(1000 * statistics.fmean(values), 1),
            "max_ms": round(1000 * max(values), 1)}


def list_address(app: App, address: str) -> None:
    """Load ``address`` as a one-entry sanctions list and swap the index to it."""
    tag = Tag(address=address, chain="ethereum", source="bench-sanctions",
              kind=TagKind.SANCTION, entity="latency bench target", category="sanctioned")
    today = dt.datetime.now(dt.UTC).date()
    TagStore(app.store).load(LoadedList("bench-sanctions", [tag], published=today), "bench")
    app.tag_index.refresh()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rpc", default=os.environ.get("TXMON_GETH_URL",
                                                        "http://127.0.0.1:8545"))
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--poll", type=float, default=0.2, help="follower poll interval, s")
    parser.add_argument("--budget", type=float, default=110.0, help="seconds at most")
    args = parser.parse_args()
    w3 = Web3(Web3.HTTPProvider(args.rpc))
    if not w3.is_connected():
        raise SystemExit(f"geth is not reachable at {args.rpc}: scripts/services up geth")
    dev = w3.eth.accounts[0]
    target = Account.create().address
    send_to_alert: list[float] = []
    skew: list[float] = []
    with tempfile.TemporaryDirectory(prefix="txmon-latency-") as scratch:
        app = App(load_settings(data_dir=scratch))
        app.tag_index  # noqa: B018 - seed the lists and build the index before timing
        list_address(app, target.lower())
        source = EthereumSource(RpcClient(args.rpc))
        follower = Follower(source, app.store, app.producer(), topic=app.topic(TRANSFERS),
                            deadletter_topic=app.topic(DEADLETTER), batch_blocks=5, workers=1)
        engine = app.engine("latency")
        stop = threading.Event()
        threads = [
            threading.Thread(target=follower.follow, daemon=True, kwargs={
                "start": w3.eth.block_number + 1, "confirmations": 0,
                "poll_interval": args.poll, "stop": stop}),
            threading.Thread(target=engine.run, kwargs={"stop": stop.is_set}, daemon=True),
        ]
        for thread in threads:
            thread.start()
        seen = 0  # feed sequence already read
        deadline = time.monotonic() + args.budget
        rng = random.Random(7)
        try:
            for i in range(args.count):
                if time.monotonic() >= deadline:
                    break
                time.sleep(rng.uniform(0.0, args.poll))
                sent = time.time()
                tx_hash = "0x" + bytes(w3.eth.send_transaction(
                    {"from": dev, "to": target, "value": 1000 + i})).hex()
                stored = None
                while stored is None and time.monotonic() < deadline:
                    for seq, event in app.alert_store.events(seen + 1):
                        seen = seq
                        if alert_from_wire(event["data"]).tx_hash == tx_hash:
                            stored = time.time()
                    if stored is None:
                        time.sleep(0.005)
                if stored is None:
                    raise SystemExit(f"no alert for {tx_hash} within the time budget")
                receipt = w3.eth.get_transaction_receipt(tx_hash)
                block_time = w3.eth.get_block(receipt.blockNumber).timestamp
                send_to_alert.append(stored - sent)
                skew.append(block_time - sent)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            follower.close()
            source.close()
            app.close()
    result = {
        "benchmark": "block_alert_latency",
        "node": "geth --dev (one block per transaction)",
        "pipeline": "in-process follower + engine threads, embedded bus and store",
        "confirmations": 0,
        "follower_poll_interval_s": args.poll,
        "payments": len(send_to_alert),
        "send_to_alert": summary(send_to_alert),
        "timed": "wall time from just before eth_sendTransaction to the alert being "
                 "readable in the AlertStore (includes mining and the follower's poll wait)",
        "block_timestamp_minus_send_s": {"min": round(min(skew), 1),
                                         "max": round(max(skew), 1)},
    }
    write_result("block_alert_latency.json", result)


if __name__ == "__main__":
    main()
