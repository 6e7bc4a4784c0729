"""Bitcoin ingest throughput: transactions/s per core replaying real mainnet blocks.

Reproduce:  .venv/bin/python bench/bench_bitcoin.py [--rounds 11] [--workers 1 2]
                [--redis redis://127.0.0.1:6379/0]
Writes bench/results/bitcoin.json.

Measured, on the same blocks (tests/data/bitcoin/raw: 5 mainnet blocks, 2,996 txs, most of
them in block 702,861) and interleaved round by round so that machine noise hits every mode
alike (the median round counts):

* ``bare``      python-bitcoinlib's ``CBlock.deserialize`` — parsing alone (it also builds the
                merkle trees, re-serialising every transaction, as any user of it pays);
* ``txmon``     ``BlockDecoder.decode``: parse, txids, merkle check against the header,
                addresses for every output, inputs resolved, Transfers built, UTXO cache
                updated — with the cache on the embedded store (SQLite file);
* ``txmon_mem`` the same with the cache on a dict, to separate the store's cost;
* ``txmon_redis`` (with ``--redis``) the cache on a real Redis (client CPU only: the
                server's work runs in its own process).

The UTXO cache is seeded (untimed) with an entry for every prevout the blocks spend from
earlier blocks, as a replay from genesis would have it, so no input goes to a node, and
with a spend journal ``spent_lag`` blocks back so that each block also does the delayed
deletes a replay does.
Per-core rates use this process's CPU time (the machine may be shared with other work);
wall-clock rates are recorded too. Scaling: N worker processes each replay the whole set
``--repeat`` times with their own store, started together; throughput = all transactions /
the slowest worker's wall time — meaningful only on an otherwise idle machine, so the load
average is recorded.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import multiprocessing as mp
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from bitcoin.core import CBlock

from ingest.bitcoin.blocks import BlockDecoder
from ingest.bitcoin.parse import parse_block
from ingest.bitcoin.utxo import Outpoint, Prevout, UtxoCache
from txmon.addresses.networks import MAINNET
from txmon.models import Leg
from txmon.store.base import AppendResult, EntryBuilder, LogHead, Store
from txmon.store.redis import RedisStore
from txmon.store.sqlite import SqliteStore

RESULTS = Path(__file__).parent / "results"
RAW = Path(__file__).resolve().parents[1] / "tests" / "data" / "bitcoin" / "raw"
BLOCKS = {  # file → height
    "block169482.dat": 169482,
    "block300025.raw": 300025,
    "block482683.raw": 482683,
    "block_13b8a.hex": 100000,  # pre-BIP-34, height not in the block; any number will do
    "block702861.raw": 702861,
}


class DictStore(Store):
    """The three Store operations the UTXO cache uses, on a dict (measurement only)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        return [self.data.get(k) for k in keys]

    def put_many(self, items: Mapping[str, bytes], delete: Iterable[str] = ()) -> None:
        for key in delete:
            self.data.pop(key, None)
        self.data.update(items)

    def add_if_absent(self, key: str, value: bytes) -> bool:
        raise NotImplementedError

    def scan(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        raise NotImplementedError

    def delete_prefix(self, prefix: str) -> int:
        raise NotImplementedError

    def add_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        raise NotImplementedError

    def members(self, key: str) -> set[str]:
        raise NotImplementedError

    def remove_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        raise NotImplementedError

    def append_chained(self, log: str, dedupe_key: str, build: EntryBuilder) -> AppendResult:
        raise NotImplementedError

    def read_log(self, log: str, from_seq: int = 1) -> Iterator[tuple[int, bytes]]:
        raise NotImplementedError

    def log_head(self, log: str) -> LogHead:
        raise NotImplementedError

    def ping(self) -> None:
        pass

    def close(self) -> None:
        pass


def load_blocks() -> list[tuple[bytes, int, int]]:
    """(raw bytes, height, transaction count) of each fixture block."""
    out = []
    for name, height in BLOCKS.items():
        data = (RAW / name).read_bytes()
        raw = bytes.fromhex(data.decode().strip()) if name.endswith(".hex") else data
        out.append((raw, height, len(parse_block(raw).txs)))
    return out


def external_prevouts(raw: bytes) -> dict[Outpoint, Prevout]:
    """A stand-in cache entry for every prevout the block spends from earlier blocks."""
    block = parse_block(raw)
    created = {(p.txid, n) for p in block.txs for n in range(len(p.vout))}
    spends = [(i.prevout.hash[::-1].hex(), i.prevout.n) for p in block.txs[1:] for i in p.vin]
    return {op: (Leg("1BitcoinEaterAddressDontSendf59kuE", 50_000, "p2pkh"),)
            for op in spends if op not in created}  # fmt: skip


def seeded_cache(store: Store, blocks: list[tuple[bytes, int, int]]) -> UtxoCache:
    cache = UtxoCache(store, MAINNET)
    for raw, _, _ in blocks:
        cache.commit(0, external_prevouts(raw), [])
    return cache


def seed_old_spends(cache: UtxoCache, blocks: list[tuple[bytes, int, int]]) -> None:
    """Give each block's height − lag a journal of as many spends as the block itself makes.

    In a replay every block also deletes the entries spent ``spent_lag`` blocks earlier;
    without this the benchmark would skip that work. Consumed by each pass: re-seeded
    (untimed) before every round.
    """
    for raw, height, _ in blocks:
        count = len(external_prevouts(raw))
        old = [(hashlib.sha256(f"{height}:{i}".encode()).hexdigest(), 0) for i in range(count)]
        entry = (Leg("1BitcoinEaterAddressDontSendf59kuE", 1, "p2pkh"),)
        cache.commit(height - cache.spent_lag, dict.fromkeys(old, entry), old)


def replay(cache: UtxoCache, blocks: list[tuple[bytes, int, int]]) -> None:
    """One pass with a fresh decoder: its address cache must not carry over between rounds
    (the same blocks again would find every script already described)."""
    decoder = BlockDecoder(MAINNET, cache)
    for raw, height, _ in blocks:
        decoder.decode(raw, height)


def _without_gc(run: Callable[[], object]) -> object:
    """The baseline with the cyclic GC paused, as ``BlockDecoder.decode`` does for itself."""
    gc.disable()
    try:
        return run()
    finally:
        gc.enable()


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) of one run.

    Per-core throughput is reported on CPU time: the machine may be shared, and time spent
    descheduled is not work. Wall time is kept alongside.
    """
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def per_core(
    blocks: list[tuple[bytes, int, int]], rounds: int, workdir: Path, redis_url: str | None
) -> dict:
    txs = sum(count for _, _, count in blocks)
    sqlite = seeded_cache(SqliteStore(workdir / "utxo.db"), blocks)
    memory = seeded_cache(DictStore(), blocks)
    modes: dict[str, Callable[[], object]] = {
        "bare": lambda: [CBlock.deserialize(raw) for raw, _, _ in blocks],
        "bare_nogc": lambda: _without_gc(lambda: [CBlock.deserialize(r) for r, _, _ in blocks]),
        "txmon": lambda: replay(sqlite, blocks),
        "txmon_mem": lambda: replay(memory, blocks),
    }
    caches = {"txmon": sqlite, "txmon_mem": memory}
    if redis_url is not None:
        redis_store = RedisStore(redis_url, namespace=f"bench-{uuid.uuid4().hex[:8]}")
        caches["txmon_redis"] = on_redis = seeded_cache(redis_store, blocks)
        modes["txmon_redis"] = lambda: replay(on_redis, blocks)
    gc.collect()
    gc.freeze()  # the harness's own long-lived objects (blocks, seeded dict) are not measured
    cpu: dict[str, list[float]] = {mode: [] for mode in modes}
    wall: dict[str, list[float]] = {mode: [] for mode in modes}
    for run in modes.values():  # warm-up: imports, caches, SQLite pages
        run()
    for _ in range(rounds):
        for mode, run in modes.items():
            if mode in caches:
                seed_old_spends(caches[mode], blocks)
            spent_cpu, spent_wall = timed(run)
            cpu[mode].append(spent_cpu)
            wall[mode].append(spent_wall)
    if redis_url is not None:
        redis_store.delete_prefix("")
        redis_store.close()
    rates = {mode: txs / statistics.median(t) for mode, t in cpu.items()}
    return {
        "transactions": txs,
        "tx_per_cpu_s": {mode: round(rate) for mode, rate in rates.items()},
        "tx_per_wall_s": {mode: round(txs / statistics.median(t)) for mode, t in wall.items()},
        "ratio_txmon_vs_bare": round(rates["txmon"] / rates["bare"], 3),
        "ratio_txmon_mem_vs_bare": round(rates["txmon_mem"] / rates["bare"], 3),
        "ratio_txmon_vs_bare_nogc": round(rates["txmon"] / rates["bare_nogc"], 3),
        **(
            {"ratio_txmon_redis_vs_bare": round(rates["txmon_redis"] / rates["bare"], 3)}
            if redis_url is not None
            else {}
        ),
        "median_cpu_seconds": {mode: round(statistics.median(t), 4) for mode, t in cpu.items()},
    }


def _worker(repeat: int, workdir: str, index: int, barrier: mp.synchronize.Barrier,
            results: mp.Queue) -> None:  # fmt: skip
    blocks = load_blocks()
    cache = seeded_cache(SqliteStore(Path(workdir) / f"w{index}.db"), blocks)
    gc.collect()
    gc.freeze()
    barrier.wait()
    elapsed = 0.0
    for _ in range(repeat):
        seed_old_spends(cache, blocks)
        start = time.perf_counter()
        replay(cache, blocks)
        elapsed += time.perf_counter() - start
    results.put(elapsed)


def scaling(blocks: list[tuple[bytes, int, int]], workers: int, repeat: int, workdir: Path) -> dict:
    ctx = mp.get_context("spawn")  # a clean interpreter: no inherited heap for the GC to walk
    barrier = ctx.Barrier(workers)
    results: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(repeat, str(workdir), i, barrier, results))
             for i in range(workers)]  # fmt: skip
    for proc in procs:
        proc.start()
    elapsed = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    txs = sum(count for _, _, count in blocks) * repeat * workers
    return {
        "workers": workers,
        "tx_per_s": round(txs / max(elapsed)),
        "worker_seconds": [round(e, 3) for e in sorted(elapsed)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=5, help="passes per worker (scaling)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--redis", help="also measure the UTXO cache on this Redis URL")
    args = parser.parse_args()
    blocks = load_blocks()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        result = {
            "benchmark": "bitcoin ingest: raw block → transfers",
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            },
            "blocks": {name: height for name, height in BLOCKS.items()},
            "per_core": per_core(blocks, args.rounds, workdir, args.redis),
            "scaling": [scaling(blocks, n, args.repeat, workdir) for n in args.workers],
        }
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bitcoin.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
