"""Replay a block range through the same follower and engine, apart from live state.

One code path for ``txmon replay`` and the console's replay jobs: the range is published
on a scratch embedded bus, and alerts and exposure state live in a scratch store under
``scratch`` (a temporary directory for the CLI, ``<data dir>/replays/<job id>`` for the
console), while tags and customer accounts come from the configured deployment, so lists
loaded with ``txmon tags load`` count. Nothing a replay raises reaches the live alerts,
the live taint state or the feed; every alert names its mode (``evidence.mode``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.follower import Follower
from rules.judgement import Mode
from txmon.app import App
from txmon.bus.base import DEADLETTER, TRANSFERS
from txmon.chains import SourceOptions
from txmon.engine import Engine
from txmon.errors import TxmonError
from txmon.models import Alert

# (block done, last block, engine after the chunk was drained)
Chunk = Callable[[int, int, Engine], None]


@dataclass
class RangeResult:
    """What a replay of one range did (the CLI prints it, the console shows it)."""

    transfers: int = 0
    dead_letters: int = 0
    alerts: list[Alert] = field(default_factory=list)
    unresolved_inputs: int = 0  # bitcoin: inputs whose prevouts were unknown
    unresolved_txs: int = 0


def replay_range(base: App, scratch: Path, chain: str, options: SourceOptions,
                 fetch: tuple[int, int], start: int, end: int, mode: Mode,
                 after_chunk: Chunk | None = None) -> RangeResult:
    """Replay ``start..end`` of ``chain``; ``fetch`` is (workers, batch blocks) of the
    follower; ``after_chunk`` sees the engine after each delivered chunk (progress)."""
    from txmon.cli.chains import build_source  # the source factory shared with ingest

    if end < start:
        raise TxmonError("the last block must not be below the first")
    settings = base.settings.model_copy(update={
        "bus": None, "store": None, "namespace": "", "data_dir": scratch,
        "as_of": mode.as_of, "metrics_port": None})
    work = App(settings)
    try:
        # the source first: a wrong option or block file fails before seeding the tags
        source = build_source(chain, work.store, options)
        # tags of the configured store (state in scratch), at its newest version: a
        # long-running server (the console) may hold an index older than `tags load`
        refresh = getattr(base.tag_index, "refresh", None)
        if refresh is not None:
            refresh()
        work.tag_index = base.tag_index
        work.account_for = base.account_for  # and its customer accounts
        follower = Follower(source, work.store, work.producer(), name="replay",
                            workers=fetch[0], batch_blocks=fetch[1],
                            topic=work.topic(TRANSFERS), deadletter_topic=work.topic(DEADLETTER))
        engine = work.engine("replay", mode=mode)

        def chunk(done: int, last: int) -> None:
            engine.drain()
            if after_chunk is not None:
                after_chunk(done, last, engine)

        metrics = follower.replay(start, end, resume=False, progress=chunk)
        engine.drain()
        if after_chunk is not None:
            after_chunk(end, end, engine)
        follower.close()
        decoder = getattr(source, "decoder", None)
        return RangeResult(metrics.transfers, engine.stats.dead_letters + metrics.dead_letters,
                           list(engine.stats.new_alerts),
                           getattr(decoder, "unresolved_inputs", 0),
                           getattr(decoder, "unresolved_txs", 0))
    finally:
        work.close()
