"""``txmon ingest {ethereum|bitcoin|exchange}``: follow a source and publish transfers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import click

from ingest.follower import Follower
from ingest.source import ChainSource
from txmon import metrics
from txmon.app import App
from txmon.bus.base import DEADLETTER, TRANSFERS
from txmon.chains import SourceOptions
from txmon.cli.chains import CHAINS, build_source, chain_options, follower_options
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.ingest_exchange import exchange
from txmon.cli.lifecycle import stop_on_signals
from txmon.errors import RpcError

log = logging.getLogger(__name__)
RETRY_SECONDS = (1, 2, 5, 10, 30)  # back-off while a node does not answer


@click.group()
def ingest() -> None:
    """Follow a chain or the exchange feed and publish canonical transfers."""


def _caught_up(follower: Follower, confirmations: int) -> bool:
    """True when the checkpoint is at the confirmed head (idle, not stuck)."""
    position, head = follower.state.position(), follower.metrics.head
    return position is not None and head is not None and position.number >= head - confirmations


def _follow(cli: CliContext, chain: str, follower: Follower, start: int | None,
            confirmations: int, poll_interval: float,
            mempool: Callable[[], object] | None = None) -> None:
    """Follow until SIGTERM/SIGINT; a silent node makes /healthz fail, not the process."""
    liveness = metrics.Liveness(f"ingest-{chain}", cli.settings.liveness_timeout)
    if cli.settings.metrics_port:
        metrics.serve(cli.settings.metrics_port, liveness, cli.settings.metrics_host)
    stop = stop_on_signals()
    failures = 0
    while not stop.is_set():
        try:
            delivered = follower.step(start, confirmations)
            if mempool is not None and delivered == 0:  # caught up: look at unconfirmed txs
                mempool()
        except RpcError as exc:
            wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
            failures += 1
            log.warning("%s node error (%s); retrying in %ss", chain, exc, wait)
            stop.wait(wait)
            continue
        failures = 0
        if delivered or _caught_up(follower, confirmations):
            liveness.progress()  # delivered something, or nothing is left to deliver
        metrics.RECORDS.labels(f"ingest-{chain}").inc(delivered)
        if delivered == 0:
            stop.wait(poll_interval)


def _chain_command(chain: str) -> click.Command:
    @click.command(name=chain, help=f"Follow {chain}'s head and publish its transfers.")
    @chain_options
    @follower_options(live=True)
    @click.option("--from", "start", type=int, help="First block when there is no checkpoint.")
    @click.option("--confirmations", type=int, default=0, show_default=True,
                  help="Deliver blocks this deep below the head (0 = at once, with retraction).")
    @click.option("--poll-interval", type=float, default=2.0, show_default=True)
    @click.option("--metrics-port", type=int, envvar="TXMON_METRICS_PORT")
    @click.option("--mempool", is_flag=True,
                  help="Bitcoin: also publish unconfirmed transactions as pending transfers.")
    @pass_cli
    def command(cli: CliContext, rpc_url: str | None, network: str, blocks_dir: str | None,
                no_traces: bool, workers: int, batch_blocks: int, keep: int,
                start: int | None, confirmations: int,
                poll_interval: float, metrics_port: int | None, mempool: bool) -> None:
        if metrics_port:
            cli.settings = cli.settings.model_copy(update={"metrics_port": metrics_port})
        app = cli.app
        source = build_source(chain, app.store, SourceOptions(
            rpc_url=rpc_url, network=network, blocks_dir=blocks_dir, no_traces=no_traces))
        follower = Follower(source, app.store, app.producer(), name="live",
                            batch_blocks=batch_blocks, workers=workers, keep=keep,
                            topic=app.topic(TRANSFERS), deadletter_topic=app.topic(DEADLETTER))
        click.echo(f"ingest {chain}: following {source.network} from "
                   f"{'checkpoint' if follower.state.position() else start or 'head'}", err=True)
        watch = _mempool_watcher(app, source) if mempool else None
        started = time.monotonic()
        try:
            _follow(cli, chain, follower, start, confirmations, poll_interval, watch)
        finally:
            follower.close()
            m = follower.metrics
            click.echo(f"ingest {chain}: {m.blocks} blocks, {m.transfers} transfers, "
                       f"{m.retracted} retracted, {m.dead_letters} dead letters in "
                       f"{time.monotonic() - started:.0f}s", err=True)

    return command


def _mempool_watcher(app: App, source: ChainSource) -> Callable[[], object]:
    """The Bitcoin mempool poller sharing the follower's node and UTXO cache."""
    from ingest.bitcoin.mempool import MempoolWatcher
    from ingest.bitcoin.node import BitcoinNode
    from ingest.bitcoin.source import BitcoinSource

    if not isinstance(source, BitcoinSource) or not isinstance(source.reader, BitcoinNode):
        raise click.UsageError("--mempool needs bitcoin with --rpc (not --blocks-dir)")
    watcher = MempoolWatcher(source.reader, source.decoder.utxo, app.producer(),
                             topic=app.topic(TRANSFERS))
    return watcher.poll


for _chain in CHAINS:
    ingest.add_command(_chain_command(_chain))

ingest.add_command(exchange)
