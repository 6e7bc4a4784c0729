"""Ethereum replay throughput: txmon vs ethereum-etl over the same blocks of the same node.

Reproduce (needs geth --dev: ``scripts/services up geth``):

    bench/peer/setup_ethereum_etl.sh                      # the peer, in its own venv
    .venv/bin/python bench/bench_ethereum.py [--fill 300] [--rpc URL] [--workers 4]
    .venv/bin/python bench/bench_ethereum.py --from N --to M        # an existing range

The setup step mines ``--fill`` blocks of mixed transactions (ETH, zero-value, ERC-20,
contract calls moving ETH internally, a reverting call), ``--txs-per-round`` at a time
(geth --dev seals on arrival, so this sets how full the blocks get: ~20 on average).
Then both tools extract the same things from the range — top-level transactions, ERC-20
transfers, nested calls from geth ``callTracer`` traces — txmon with ``Follower.replay``
into the embedded bus, ethereum-etl with its export commands (see bench/peer/). Each tool
runs ``--repeat`` times, alternating; the median run of each counts (all times are kept).
Writes bench/results/ethereum.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/ is not a package: its helpers (ethereum_fill, peer/) import as top-level modules
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ethereum_fill import Filler
from ethereum_replay import run_txmon
from peer.ethereum_etl import PeerRun, run_ethereum_etl
from report import write_result  # bench/report.py (run as a script from bench/)

from ingest.rpc import RpcClient

PEER = Path(os.environ.get("TXMON_PEER_VENV", Path.home() / ".cache/txmon/peer-venv"))


def run_txmon_process(url: str, first: int, last: int, workers: int, batch: int) -> dict:
    """One replay in a fresh interpreter: wall time includes start-up, like each peer command."""
    command = [sys.executable, str(Path(__file__).parent / "ethereum_replay.py"), "--rpc", url,
               "--from", str(first), "--to", str(last), "--workers", str(workers),
               "--batch-blocks", str(batch)]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    inner = json.loads(done.stdout)
    return {"seconds": round(wall, 3), "blocks_per_s": round((last - first + 1) / wall, 1),
            "transfers": inner["transfers"]}  # fmt: skip


def run_peer(url: str, first: int, last: int, workers: int) -> PeerRun:
    with tempfile.TemporaryDirectory() as tmp:
        return run_ethereum_etl(PEER / "bin" / "ethereumetl", url, first, last, workers, Path(tmp))


def peer_summary(run: PeerRun, blocks: int) -> dict[str, Any]:
    records = sum(run.records.values())
    return {"seconds": round(run.seconds, 3),
            "seconds_without_startup": round(run.seconds_without_startup, 3),
            "startup_seconds_per_command": round(run.startup_seconds, 3),
            "commands": {k: round(v, 3) for k, v in run.commands.items()},
            "records": run.records, "records_total": records,
            "blocks_per_s": round(blocks / run.seconds, 1),
            "blocks_per_s_without_startup": round(blocks / run.seconds_without_startup, 1),
            "records_per_s": round(records / run.seconds)}  # fmt: skip


def _secs(run: dict) -> float:
    return float(run["seconds"])


def _median(runs: list, key: Any) -> Any:
    """The run with the median time (the upper one of an even count): robust to noise."""
    return sorted(runs, key=key)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rpc", default=os.environ.get("TXMON_GETH_RPC_URL", "http://127.0.0.1:8545")
    )
    parser.add_argument("--fill", type=int, default=300, help="blocks to mine first")
    parser.add_argument("--txs-per-round", type=int, default=120,
                        help="transactions sent per JSON-RPC batch while filling")  # fmt: skip
    parser.add_argument("--from", dest="first", type=int)
    parser.add_argument("--to", dest="last", type=int)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch-blocks", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not (PEER / "bin" / "ethereumetl").exists():
        sys.exit("peer missing: run bench/peer/setup_ethereum_etl.sh first")

    if args.first is None or args.last is None:
        print(f"mining {args.fill} blocks of mixed transactions …", file=sys.stderr)
        args.first, args.last = Filler(args.rpc).fill(args.fill, per_round=args.txs_per_round)
    blocks = args.last - args.first + 1
    rpc = RpcClient(args.rpc)
    headers = [("eth_getBlockByNumber", [hex(n), False]) for n in range(args.first, args.last + 1)]
    txs = sum(len(b["transactions"]) for b in rpc.batch(headers))

    ours, ours_plain, ours_fees, ours_shell, peers = [], [], [], [], []
    for _ in range(args.repeat):
        ours_shell.append(run_txmon_process(args.rpc, args.first, args.last, args.workers,
                                            args.batch_blocks))  # fmt: skip
        ours.append(
            run_txmon(args.rpc, args.first, args.last, args.workers, args.batch_blocks, True)
        )
        ours_fees.append(run_txmon(args.rpc, args.first, args.last, args.workers,
                                   args.batch_blocks, True, fees=True))  # fmt: skip
        ours_plain.append(run_txmon(args.rpc, args.first, args.last, args.workers,
                                    args.batch_blocks, False))  # fmt: skip
        peers.append(run_peer(args.rpc, args.first, args.last, args.workers))
        print(f"txmon {ours[-1]['seconds']} s, ethereum-etl {peers[-1].seconds:.3f} s",
              file=sys.stderr)  # fmt: skip
    mid_run = _median(peers, lambda r: r.seconds)
    peer = peer_summary(mid_run, blocks)
    txmon = _median(ours, _secs)
    plain = _median(ours_plain, _secs)
    shell = _median(ours_shell, _secs)
    # the peer without traces = its first four commands (blocks, hashes, receipts, tokens)
    no_trace_cmds = list(mid_run.commands.values())[:4]
    peer_plain = sum(no_trace_cmds) - mid_run.startup_seconds * len(no_trace_cmds)
    result = {
        "benchmark": "ethereum_replay",
        "node": rpc.call("web3_clientVersion"),
        "range": [args.first, args.last], "blocks": blocks, "transactions": txs,
        "workers": args.workers, "batch_blocks": args.batch_blocks, "repeat": args.repeat,
        "statistic": "median run of each tool",
        "txmon": txmon,
        "txmon_from_shell": shell,
        "txmon_with_fees": _median(ours_fees, _secs),
        "txmon_without_traces": plain,
        "ethereum_etl": peer,
        "ratios": {
            # what a user sees: one txmon process vs the peer's six commands, start-up included
            "from_shell": round(peer["seconds"] / shell["seconds"], 2),
            # work only: txmon in-process vs the peer with its start-ups subtracted
            "work": round(peer["seconds_without_startup"] / txmon["seconds"], 2),
            "work_without_traces": round(peer_plain / plain["seconds"], 2),
        },
        "all_seconds": {
            "txmon": [r["seconds"] for r in ours],
            "txmon_from_shell": [r["seconds"] for r in ours_shell],
            "ethereum_etl": [round(r.seconds, 3) for r in peers],
            "ethereum_etl_without_startup": [round(r.seconds_without_startup, 3) for r in peers],
        },
    }  # fmt: skip
    write_result("ethereum.json", result)


if __name__ == "__main__":
    main()
