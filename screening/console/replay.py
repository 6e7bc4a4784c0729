"""Replay as of a date from the console: pasted NDJSON transfers through the backtest.

Why the backtest (rules/backtest.py) and not a block range from a node: it is the
engine's own judgement (rules.judgement.Judge) on a throw-away store, so nothing a replay
raises ever enters the live alerts or the taint state, and it needs no node. Every
alert it shows carries ``evidence.mode`` (``replay`` here, never ``live``) and is never
written to the feed. A block range from a node is a background job (replay_jobs.py), run
by the same code as ``txmon replay``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from enrich.enricher import TagLookup
from rules.backtest import BacktestStats, backtest
from rules.prices import PriceTable
from rules.rulebook import Rulebook
from screening.console.replay_jobs import ReplayJobs
from txmon.models import Alert

if TYPE_CHECKING:
    from txmon.app import App

MAX_TRANSFERS = 500  # a pasted replay stays an investigator's sample, not a bulk job


@dataclass(frozen=True)
class Replayer:
    """The rulebook, lists and prices a replay judges with (the configured ones)."""

    rulebook: Rulebook
    lookup: TagLookup
    prices: PriceTable | None
    jobs: ReplayJobs | None = field(default=None, compare=False)  # block ranges from a node

    @classmethod
    def from_app(cls, app: App) -> Replayer:
        path = app.settings.seeds_dir / "prices.csv"
        return cls(app.rulebook, app.tag_index, PriceTable.load(path) if path.exists() else None,
                   ReplayJobs.for_app(app))

    def run(self, lines: Iterable[bytes], as_of: dt.date | None,
            lookback: bool) -> tuple[list[Alert], BacktestStats]:
        stats = BacktestStats()
        kept = [line for line in lines if line.strip()][:MAX_TRANSFERS]
        alerts = list(backtest(kept, self.rulebook, self.lookup, self.prices, as_of, stats,
                               lookback=lookback))
        return alerts, stats
