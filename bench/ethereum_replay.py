"""txmon's side of the Ethereum benchmark: one ``Follower.replay`` into the embedded bus.

Run as a script it replays once and prints the result as JSON, so that the benchmark can
also time txmon from a shell, interpreter start-up and imports included, exactly as it
times each ethereum-etl command:

    .venv/bin/python bench/ethereum_replay.py --rpc URL --from N --to M [--no-traces]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from ingest.ethereum import EthereumSource
from ingest.follower import Follower
from ingest.rpc import RpcClient
from txmon.bus.embedded import EmbeddedBus
from txmon.store.sqlite import SqliteStore


def run_txmon(
    url: str,
    first: int,
    last: int,
    workers: int = 4,
    batch: int = 10,
    traces: bool = True,
    fees: bool = False,
) -> dict[str, object]:
    """Replay ``first..last``; the timed part starts after capability detection."""
    with tempfile.TemporaryDirectory() as tmp:
        bus, store = EmbeddedBus(Path(tmp) / "bus.db"), SqliteStore(Path(tmp) / "store.db")
        source = EthereumSource(RpcClient(url), traces=traces, fees=fees)
        source.capabilities  # noqa: B018 - detect once, outside the timed part
        follower = Follower(source, store, bus.producer(), name="bench", batch_blocks=batch,
                            workers=workers)  # fmt: skip
        started = time.perf_counter()
        metrics = follower.replay(first, last, resume=False)
        seconds = time.perf_counter() - started
        follower.close()
        source.close()
        store.close()
        bus.close()
    blocks = last - first + 1
    return {"seconds": round(seconds, 3), "blocks_per_s": round(blocks / seconds, 1),
            "transfers": metrics.transfers, "transfers_per_s": round(metrics.transfers / seconds),
            "dead_letters": metrics.dead_letters, "traces": traces, "fees": fees}  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--from", dest="first", type=int, required=True)
    parser.add_argument("--to", dest="last", type=int, required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch-blocks", type=int, default=10)
    parser.add_argument("--no-traces", action="store_true")
    args = parser.parse_args()
    result = run_txmon(args.rpc, args.first, args.last, args.workers, args.batch_blocks,
                       not args.no_traces)  # fmt: skip
    print(json.dumps(result))
