"""``txmon engine``: enrich + rules + alerts as a long-running streaming consumer."""

from __future__ import annotations

import click

from txmon.cli.context import CliContext, pass_cli
from txmon.cli.lifecycle import stop_on_signals


@click.command()
@click.option("--group", default="txmon-engine", show_default=True,
              help="Consumer group; run more engines with the same group to scale out.")
@click.option("--metrics-port", type=int, envvar="TXMON_METRICS_PORT",
              help="Serve /metrics and /healthz on this port.")
@click.option("--idle-exit", type=float,
              help="Exit after this many idle seconds (batch runs), counted from the first "
                   "partition assignment and from the last batch.")
@click.option("--instance-id", envvar="TXMON_ENGINE_INSTANCE",
              help="Static group member id (Kafka): a restart with the same id gets its "
                   "partitions back at once, not after the 10 s session timeout. Unique "
                   "per running engine.")
@click.option("--publish/--no-publish", default=True, show_default=True,
              help="Publish the alert feed from this process. With several engines, run "
                   "them with --no-publish and one `txmon alerts publish`.")
@pass_cli
def engine(cli: CliContext, group: str, metrics_port: int | None,
           idle_exit: float | None, instance_id: str | None, publish: bool) -> None:
    """Consume txmon.transfers and raise alerts (store + txmon.alerts feed)."""
    if metrics_port:
        cli.app.settings = cli.settings.model_copy(update={"metrics_port": metrics_port})
    stop = stop_on_signals()
    engine_ = cli.app.engine(group, publish=publish, instance_id=instance_id)
    stats = engine_.run(idle_exit=idle_exit, stop=stop.is_set)
    click.echo(f"engine: {stats.transfers} transfers, {stats.alerts_new} new alerts, "
               f"{stats.dead_letters} dead letters", err=True)
