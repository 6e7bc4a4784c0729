"""``txmon demo``: the whole pipeline on shipped data, through the production code path.

Transfers from ``seeds/demo/transfers.ndjson`` (real mainnet calls) are published on the
bus exactly as an ingest worker would publish them; the same engine that ``txmon engine``
runs consumes them, enriches them from the tag store seeded with the shipped OFAC lists,
applies the default rulebook and stores and publishes the alerts. With ``--bus``/``--store``
it runs on Kafka/Redis under a fresh namespace; otherwise embedded in a fresh directory.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

import click

from ingest.ndjson import publish_ndjson
from txmon.app import App
from txmon.bus.base import TRANSFERS
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.output import print_alerts

SNAPSHOT_DATE = dt.date(2024, 9, 27)  # date of the shipped OFAC per-asset lists


@click.command()
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              default=SNAPSHOT_DATE.isoformat(), show_default=True,
              help="Evaluate the lists as they stood on this date.")
@click.option("--json", "as_json", is_flag=True, help="One JSON alert per line.")
@click.option("--transfers", type=click.Path(exists=True, dir_okay=False),
              help="Canonical transfers NDJSON [default seeds/demo/transfers.ndjson].")
@pass_cli
def demo(cli: CliContext, as_of: dt.datetime, as_json: bool, transfers: str | None) -> None:
    """Run ingest → enrich → rules → alerts on shipped data and print the alerts."""
    settings = cli.settings
    with tempfile.TemporaryDirectory(prefix="txmon-demo-") as scratch:
        updates: dict[str, object] = {"as_of": as_of.date()}
        if settings.bus or settings.store:
            updates["namespace"] = f"demo-{uuid.uuid4().hex[:8]}"
        else:
            updates["data_dir"] = Path(scratch)
        app = App(settings.model_copy(update=updates))
        try:
            default = settings.seeds_dir / "demo" / "transfers.ndjson"
            source = Path(transfers) if transfers else default
            click.echo(f"demo: tags from {settings.seeds_dir}, transfers from {source}, "
                       f"lists as of {as_of.date()}, bus={app.bus.name}", err=True)
            stats = app.tag_index  # seeds the tag store on first use
            with source.open("rb") as lines:
                published, bad = publish_ndjson(lines, app.producer(), app.topic(TRANSFERS),
                                                source.name)
            engine_stats = app.engine("txmon-demo").run(idle_exit=1.0)
            print_alerts(app.alert_store.alerts(), as_json)
            click.echo(f"demo: {published} transfers published ({bad} dead-lettered), "
                       f"{engine_stats.transfers} screened, {app.alert_store.count()} alerts "
                       f"({type(stats).__name__})", err=True)
        finally:
            app.close()
