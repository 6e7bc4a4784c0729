"""Benchmark harness, not product: runs the peer tool ethereum-etl over a block range.

To extract what txmon extracts (ETH, ERC-20 and internal transfers) ethereum-etl needs six
of its documented export commands, each a separate process: blocks and transactions,
the transaction hashes, receipts and logs, token transfers from the logs, geth traces,
and the calls from those traces. Each command's wall time is recorded, and so is the
interpreter start-up of one command (median of three ``ethereumetl --version``), so that
the comparison can also be quoted with the start-up subtracted, in the peer's favour.
"""

from __future__ import annotations

import csv
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PeerRun:
    seconds: float = 0.0
    startup_seconds: float = 0.0  # one interpreter start-up + imports, measured alone
    commands: dict[str, float] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)

    @property
    def seconds_without_startup(self) -> float:
        return self.seconds - self.startup_seconds * len(self.commands)


def _run(exe: Path, args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(exe), *args], check=True, capture_output=True)
    return time.perf_counter() - started


def _rows(path: Path, nested_only: bool = False) -> int:
    with path.open(newline="") as f:
        return sum(1 for row in csv.DictReader(f) if not nested_only or row["trace_address"])


def run_ethereum_etl(
    exe: Path, url: str, first: int, last: int, workers: int, out: Path
) -> PeerRun:
    """Run the six commands over ``first..last`` into ``out``; returns timings and counts."""
    run = PeerRun(startup_seconds=statistics.median(_run(exe, ["--version"]) for _ in range(3)))
    w, s, e = str(workers), str(first), str(last)
    steps = {
        "export_blocks_and_transactions": ["-s", s, "-e", e, "-p", url, "-w", w,
            "--blocks-output", str(out / "blocks.csv"),
            "--transactions-output", str(out / "transactions.csv")],
        "extract_csv_column": ["-i", str(out / "transactions.csv"), "-c", "hash",
            "-o", str(out / "tx_hashes.txt")],
        "export_receipts_and_logs": ["-t", str(out / "tx_hashes.txt"), "-p", url, "-w", w,
            "--receipts-output", str(out / "receipts.csv"), "--logs-output", str(out / "logs.csv")],
        "extract_token_transfers": ["-l", str(out / "logs.csv"), "-w", w,
            "-o", str(out / "token_transfers.csv")],
        "export_geth_traces": ["-s", s, "-e", e, "-p", url, "-w", w,
            "-o", str(out / "geth_traces.json")],
        "extract_geth_traces": ["-i", str(out / "geth_traces.json"), "-w", w,
            "-o", str(out / "traces.csv")],
    }  # fmt: skip
    for name, args in steps.items():
        run.commands[name] = _run(exe, [name, *args])
    run.seconds = sum(run.commands.values())
    run.records = {
        "transactions": _rows(out / "transactions.csv"),
        "token_transfers": _rows(out / "token_transfers.csv"),
        "nested_calls": _rows(out / "traces.csv", nested_only=True),
    }
    return run
