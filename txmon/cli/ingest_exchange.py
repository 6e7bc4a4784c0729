"""``txmon ingest exchange``: follow the exchange back-office feed.

Exported as the click command ``exchange`` for the ``ingest`` group. Consumes
``txmon.exchange.events`` and ``txmon.tags.updates`` in consumer group ``--group``;
publishes transfers on ``txmon.transfers`` and bad messages on ``txmon.deadletter``.
Stops cleanly on SIGINT/SIGTERM after the batch in hand (committed or replayed, never
half-applied); ``--idle-exit`` stops after that many seconds without input (batch jobs).
"""

from __future__ import annotations

import click

from ingest.exchange.consumer import ExchangeIngest
from screening.customers import CustomerScreening
from screening.runtime import open_service
from txmon import metrics
from txmon.bus.base import DEADLETTER, EXCHANGE_EVENTS, TAG_UPDATES, TRANSFERS
from txmon.cli.context import CliContext
from txmon.cli.lifecycle import stop_on_signals


@click.command()
@click.option("--group", default="txmon-exchange", show_default=True, help="Consumer group.")
@click.option("--network", default="back-office", show_default=True,
              help="Network name put on the transfers (which exchange / venue).")
@click.option("--idle-exit", type=float, help="Stop after this many seconds without input.")
@click.option("--no-screening", is_flag=True, help="Do not screen customers (faster replays).")
@click.pass_obj
def exchange(obj: CliContext, group: str, network: str, idle_exit: float | None,
             no_screening: bool) -> None:
    """Turn exchange events into transfers, accounts and customer screenings."""
    app = obj.app
    consumer = app.bus.consumer([app.topic(EXCHANGE_EVENTS), app.topic(TAG_UPDATES)], group)
    screening = None if no_screening else CustomerScreening(open_service(app), app.alert_store)
    liveness = metrics.Liveness("ingest-exchange", app.settings.liveness_timeout)
    worker = ExchangeIngest(consumer, app.producer(), app.store,
                            transfers_topic=app.topic(TRANSFERS),
                            tag_updates_topic=app.topic(TAG_UPDATES), screening=screening,
                            network=network, deadletter_topic=app.topic(DEADLETTER),
                            liveness=liveness)
    stop = stop_on_signals()
    if app.settings.metrics_port:
        metrics.serve(app.settings.metrics_port, liveness, app.settings.metrics_host)

    def stopping() -> bool:
        liveness.progress()  # called between steps: a step that hangs stops the heartbeat
        return stop.is_set()

    try:
        counts = worker.run(stop=stopping, idle_exit=idle_exit)
    finally:
        worker.close()
    click.echo(f"exchange: {counts.events} events, {counts.transfers} transfers, "
               f"{counts.dead} dead letters, {counts.screened} customers screened, "
               f"{counts.rescreens} re-screened"
               + (f", {screening.raised} alerts raised" if screening else ""), err=True)
