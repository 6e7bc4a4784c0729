"""The console's replay jobs: a block range from a node or from Bitcoin Core block files
(blk*.dat, under the operator's ``TXMON_REPLAY_BLOCKS_ROOT`` only), as of a date, in the
background.

A job runs txmon/range_replay.py (the very code ``txmon replay`` runs) in one thread, one
job at a time per server (a second start is refused: 409), over a scratch store of its
own under ``<data dir>/replays/<job id>``: what it raises is kept there and in the job,
never in the live alerts, the live taint state or the feed. Why a thread and not a
process: the job reads the server's loaded tag index (seconds to load again), and the
work is I/O bound on the node; the engine's CPU share is small at ≤ 10,000 blocks.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from rules.judgement import Mode
from txmon.chains import SourceOptions
from txmon.errors import WorkflowError
from txmon.models import Alert
from txmon.range_replay import RangeResult, replay_range

if TYPE_CHECKING:
    from txmon.app import App
    from txmon.engine import Engine

MAX_BLOCKS = 10_000  # an investigator's range; longer ones are `txmon replay` on a shell
CHAINS = ("ethereum", "bitcoin")
NETWORKS = ("mainnet", "testnet", "regtest")
FETCH = (4, 50)  # (workers, blocks per request): the follower's replay defaults
KEPT = 20  # finished jobs remembered by a server (their scratch stores stay on disk)


class Busy(WorkflowError):
    """Another replay job is running on this server (409)."""


class BadJob(ValueError):
    """The request cannot be replayed as given (422): range, chain, URL, dates, directory."""


def blocks_path(root: Path | None, relative: str) -> Path:
    """The block-file directory ``relative`` names under ``root``, or BadJob.

    Why resolved before the check: ``..`` and symlinks are followed first, so a path that
    ends up outside the root is refused whatever spelling reached it (the server must not
    read a directory the operator did not put under the root)."""
    if root is None:
        raise BadJob("replay from block files is not enabled in this server "
                     "(TXMON_REPLAY_BLOCKS_ROOT is unset)")
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        raise BadJob("the block-file directory must be under the server's replay root")
    if not target.is_dir():
        raise BadJob(f"no block-file directory {relative!r} under the replay root")
    return target


@dataclass(frozen=True)
class JobRequest:
    chain: str
    rpc_url: str
    start: int
    end: int
    as_of: dt.date | None = None
    lookback: bool = False
    network: str = "mainnet"  # bitcoin's network parameters (mainnet, testnet, regtest)
    blocks_dir: str = ""  # block files: a directory relative to the server's replay root
    start_height: int | None = None  # block files that do not start at genesis (pre-BIP-34)

    def check(self) -> None:
        """Refuse what no replay could run, before a thread is started."""
        if self.chain not in CHAINS:
            raise BadJob(f"chain must be one of {', '.join(CHAINS)}")
        if self.blocks_dir and self.chain != "bitcoin":
            raise BadJob("block files are Bitcoin Core's: the chain must be bitcoin")
        if (self.rpc_url or not self.blocks_dir) and urlsplit(
                self.rpc_url).scheme not in ("http", "https"):
            raise BadJob("the node RPC URL must be http:// or https://")
        if self.network not in NETWORKS:
            raise BadJob(f"network must be one of {', '.join(NETWORKS)}")
        if self.start < 0 or self.end < self.start:
            raise BadJob("the block range must be 0 ≤ from ≤ to")
        if self.end - self.start + 1 > MAX_BLOCKS:
            raise BadJob(f"at most {MAX_BLOCKS:,} blocks per job "
                         f"({self.end - self.start + 1:,} asked); use txmon replay")
        if self.lookback and self.as_of is not None:
            raise BadJob("look-back and an as-of date exclude each other: a later as-of "
                         "date already includes later designations")

    @property
    def mode(self) -> Mode:
        return Mode.replay(self.as_of, self.lookback)

    @property
    def node(self) -> str:
        """The URL without its user and password (bitcoind's RPC URL carries them), or
        the block-file directory relative to the replay root."""
        if self.blocks_dir:
            return f"block files {self.blocks_dir}"
        parts = urlsplit(self.rpc_url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass
class Job:
    """One replay job and its progress, as the page and the JSON endpoint show it."""

    id: str
    request: JobRequest
    by: str
    status: str = "running"  # running → done | failed
    done_blocks: int = 0
    transfers: int = 0
    alerts: list[Alert] = field(default_factory=list)
    error: str = ""
    dead_letters: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def total_blocks(self) -> int:
        return self.request.end - self.request.start + 1

    def view(self) -> dict[str, Any]:
        r = self.request
        return {"id": self.id, "status": self.status, "by": self.by, "chain": r.chain,
                "node": r.node, "from": r.start, "to": r.end,
                "as_of": r.as_of.isoformat() if r.as_of else None, "mode": r.mode.name,
                "blocks_done": self.done_blocks, "blocks_total": self.total_blocks,
                "transfers": self.transfers, "alerts": len(self.alerts),
                "alert_ids": [a.id for a in self.alerts], "dead_letters": self.dead_letters,
                "error": self.error, "started": self.started, "finished": self.finished}


Runner = Callable[[JobRequest, Path, Callable[[int, int, "Engine"], None]], RangeResult]


class ReplayJobs:
    """The server's replay jobs: start one (if none runs), read their progress."""

    def __init__(self, runner: Runner, root: Path, blocks_root: Path | None = None) -> None:
        self._runner = runner
        self.root = root
        self.blocks_root = blocks_root  # None: no block-file jobs
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_app(cls, app: App) -> ReplayJobs:
        """Jobs that replay through ``app``'s tags and accounts (the configured ones)."""

        def run(req: JobRequest, scratch: Path,
                progress: Callable[[int, int, Engine], None]) -> RangeResult:
            files = blocks_path(app.settings.replay_blocks_root, req.blocks_dir) \
                if req.blocks_dir else None  # checked again: the job sees the same path
            options = SourceOptions(rpc_url=req.rpc_url or None, network=req.network,
                                    blocks_dir=str(files) if files else None,
                                    start_height=req.start_height)
            return replay_range(app, scratch, req.chain, options, FETCH, req.start, req.end,
                                req.mode, progress)

        return cls(run, app.settings.data_dir / "replays", app.settings.replay_blocks_root)

    def start(self, request: JobRequest, by: str) -> Job:
        request.check()
        if request.blocks_dir:
            blocks_path(self.blocks_root, request.blocks_dir)  # 422 before a thread starts
        with self._lock:
            if any(j.status == "running" for j in self._jobs.values()):
                raise Busy("a replay job is already running on this server; wait for it")
            job = Job(f"R-{secrets.token_hex(6)}", request, by)
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-KEPT]:
                del self._jobs[old]
        threading.Thread(target=self._run, args=(job,), name=f"replay-{job.id}",
                         daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        return list(reversed(self._jobs.values()))

    def _run(self, job: Job) -> None:
        def progress(done: int, _last: int, engine: Engine) -> None:
            job.done_blocks = done - job.request.start + 1
            job.transfers = engine.stats.transfers
            job.alerts = list(engine.stats.new_alerts)

        try:
            result = self._runner(job.request, self.root / job.id, progress)
        except Exception as exc:  # noqa: BLE001 - a node down, a bad block or a bug: the
            # job ends visibly with the reason (a thread's exception would only be logged)
            reason = str(exc)
            if job.request.rpc_url:  # no password in the reason
                reason = reason.replace(job.request.rpc_url, job.request.node)
            if job.request.blocks_dir and self.blocks_root is not None:  # nor the server's
                reason = reason.replace(str(self.blocks_root.resolve()), "<replay root>")
            job.error, job.status = f"{type(exc).__name__}: {reason}", "failed"
        else:
            job.transfers, job.alerts = result.transfers, result.alerts
            job.dead_letters = result.dead_letters
            job.done_blocks, job.status = job.total_blocks, "done"
        job.finished = time.time()
