"""``txmon replay {ethereum|bitcoin}``: a block range through the same follower and engine.

An investigator's replay must not touch the live deployment's state: the range is
published on a scratch embedded bus, and alerts and exposure state live in a scratch
store, while tags come from the configured tag store (so lists loaded with
``txmon tags load`` count). Live and replay share every line of ingest, enrich, rules and
alert code; only where the records go differs. Alerts print as they are raised.

Without ``--as-of`` a replay is point in time: each block judged by the lists of its own
date, no retroactive alerts, exactly what the live pipeline raised then. ``--lookback``
adds the retroactive alerts of later designations; every alert names its mode
(``evidence.mode``, see rules/judgement.py).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import click

from ingest.follower import Follower
from rules.judgement import Mode
from txmon.app import App
from txmon.bus.base import DEADLETTER, TRANSFERS
from txmon.chains import SourceOptions
from txmon.cli.chains import CHAINS, build_source, chain_options, follower_options
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.output import print_alerts
from txmon.engine import Engine


class ProgressLine:
    """A one-line progress indicator on stderr (only when stderr is a terminal)."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = first, last
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, last: int) -> None:
        if not self.tty:
            return
        share = (done - self.first + 1) / max(1, last - self.first + 1)
        rate = (done - self.first + 1) / max(1e-9, time.monotonic() - self.started)
        sys.stderr.write(f"\r  block {done}/{last} {share:6.1%} {rate:,.0f} blocks/s ")
        sys.stderr.flush()


def _replay(cli: CliContext, chain: str, options: SourceOptions, fetch: tuple[int, int],
            start: int, end: int, mode: Mode, as_json: bool) -> None:
    """``fetch``: (--workers, --batch-blocks) of the follower."""
    if end < start:
        raise click.UsageError("--to must not be below --from")
    with tempfile.TemporaryDirectory(prefix="txmon-replay-") as scratch:
        settings = cli.settings.model_copy(update={
            "bus": None, "store": None, "namespace": "", "data_dir": Path(scratch),
            "as_of": mode.as_of, "metrics_port": None})
        work = App(settings)
        try:
            # the source first: a wrong option or block file fails before seeding the tags
            source = build_source(chain, work.store, options)
            work.tag_index = cli.app.tag_index  # tags of the configured store, state in scratch
            work.account_for = cli.app.account_for  # and its customer accounts
            follower = Follower(source, work.store, work.producer(), name="replay",
                                workers=fetch[0], batch_blocks=fetch[1],
                                topic=work.topic(TRANSFERS),
                                deadletter_topic=work.topic(DEADLETTER))
            engine = work.engine("replay", mode=mode)
            show = ProgressLine(start, end)
            printed = 0

            def after_chunk(done: int, last: int) -> None:
                nonlocal printed
                engine.drain()
                printed += print_alerts(engine.stats.new_alerts[printed:], as_json, "replay")
                show(done, last)

            begun = time.monotonic()
            metrics = follower.replay(start, end, resume=False, progress=after_chunk)
            engine.drain()
            printed += print_alerts(engine.stats.new_alerts[printed:], as_json, "replay")
            follower.close()
            _summary(chain, start, end, metrics.transfers, engine, time.monotonic() - begun,
                     mode, metrics.dead_letters)
            _unresolved_summary(source)
        finally:
            work.close()


def _summary(chain: str, start: int, end: int, transfers: int, engine: Engine,
             seconds: float, mode: Mode, ingest_dead: int = 0) -> None:
    blocks = end - start + 1
    dead = engine.stats.dead_letters + ingest_dead
    click.echo(f"\nreplay {chain} {start}..{end} ({mode.name}): {blocks} blocks, "
               f"{transfers} transfers, "
               f"{engine.stats.alerts_new} alerts, {dead} dead letters, "
               f"{seconds:.1f}s ({blocks / max(seconds, 1e-9):,.0f} blocks/s)", err=True)


def _unresolved_summary(source: object) -> None:
    """Bitcoin: how many inputs could not be resolved (their outputs were still screened)."""
    decoder = getattr(source, "decoder", None)
    count = getattr(decoder, "unresolved_inputs", 0)
    if count:
        click.echo(f"  {count} inputs unresolved in {getattr(decoder, 'unresolved_txs', 0)} "
                   "transactions "
                   "(prevouts unknown; outputs screened, one dead letter per transaction)",
                   err=True)


@click.group()
def replay() -> None:
    """Replay a historical block range and print the alerts it raises."""


def _chain_command(chain: str) -> click.Command:
    @click.command(name=chain, help=f"Replay {chain} blocks FROM..TO through the engine.")
    @chain_options
    @follower_options(live=False)
    @click.option("--from", "start", type=int, required=True, help="First block (height).")
    @click.option("--to", "end", type=int, required=True, help="Last block, inclusive.")
    @click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
                  help="Evaluate the lists as of this date (default: each block's date, "
                       "point in time: what the live pipeline raised then).")
    @click.option("--lookback", is_flag=True,
                  help="Also raise retroactive alerts for counterparties designated after "
                       "the block's date (as the live engine does when it lags).")
    @click.option("--json", "as_json", is_flag=True, help="One JSON alert per line.")
    @click.option("--start-height", type=int,
                  help="Bitcoin --blocks-dir: height of the first block in the files "
                  "(files that do not start at genesis; default: its BIP-34 height).")
    @pass_cli
    def command(cli: CliContext, rpc_url: str | None, network: str, blocks_dir: str | None,
                no_traces: bool, workers: int, batch_blocks: int, start: int, end: int,
                as_of: dt.datetime | None,
                lookback: bool, as_json: bool, start_height: int | None) -> None:
        if lookback and as_of is not None:
            raise click.UsageError("--lookback and --as-of exclude each other: a later "
                                   "--as-of already includes later designations")
        options = SourceOptions(rpc_url=rpc_url, network=network, blocks_dir=blocks_dir,
                                no_traces=no_traces, start_height=start_height)
        mode = Mode.replay(as_of.date() if as_of else None, lookback)
        _replay(cli, chain, options, (workers, batch_blocks), start, end, mode, as_json)

    return command


for _chain in CHAINS:
    replay.add_command(_chain_command(_chain))
