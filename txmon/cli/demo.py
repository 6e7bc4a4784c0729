"""``txmon demo``: the whole pipeline on shipped data, through the production code path.

The story a compliance officer sees, in three acts, all through the code ``txmon engine``
runs (bus, tag store, enrich, rules, exposure state, alert store, feed):

1. The tag store holds the OFAC SDN list as it stood on 2022-03-15, the day after the FSA
   request. Real mainnet transfers (``seeds/demo/transfers.ndjson``) and three clearly
   labelled illustrative ones (``seeds/demo/illustrative.ndjson``: funds leaving a listed
   address through two intermediaries) are published on the bus as an ingest worker
   would, and screened on their block dates: a **direct** alert, and **indirect** alerts
   with the hop path.
2. The later lists (2024-05-03 SDN, 2024-09-27 address lists) are loaded as new versions;
   their delta goes out on ``txmon.tags.updates``.
3. The engine looks back over the transfers it has seen and raises **retroactive** alerts
   for flows that touch the newly listed addresses (Tornado Cash, designated 2022-08-08).

With ``--bus``/``--store`` it runs on Kafka/Redis under a fresh namespace; otherwise
embedded in a fresh temporary directory.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

import click

from enrich.index import TagIndex
from enrich.seeding import apply_load, manifest_loads, refresh_designations
from enrich.tagstore import TagStore
from ingest.ndjson import publish_ndjson
from txmon.app import App
from txmon.bus.base import TAG_UPDATES, TRANSFERS
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.output import print_alerts
from txmon.settings import Settings

DEMO_FILES = ("transfers.ndjson", "illustrative.ndjson")


def _scratch_settings(settings: Settings, scratch: str, as_of: dt.date | None) -> Settings:
    updates: dict[str, object] = {"as_of": as_of}
    if settings.bus or settings.store:
        updates["namespace"] = f"demo-{uuid.uuid4().hex[:8]}"
    else:
        updates["data_dir"] = Path(scratch)
    return settings.model_copy(update=updates)


def _publish_demo_transfers(app: App, sources: list[Path]) -> int:
    published = 0
    for source in sources:
        with source.open("rb") as lines:
            count, _ = publish_ndjson(lines, app.producer(), app.topic(TRANSFERS), source.name)
        published += count
    return published


@click.command()
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="Screen the transfers against the lists as of this date "
                   "(default: each transfer's block date).")
@click.option("--json", "as_json", is_flag=True, help="One JSON alert per line.")
@click.option("--transfers", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Canonical transfers NDJSON [default: seeds/demo/*.ndjson].")
@pass_cli
def demo(cli: CliContext, as_of: dt.datetime | None, as_json: bool,
         transfers: tuple[str, ...]) -> None:
    """Run ingest → enrich → rules → alerts on shipped data and print the alerts."""
    seeds = cli.settings.seeds_dir
    sources = [Path(t) for t in transfers] or [seeds / "demo" / name for name in DEMO_FILES]
    with tempfile.TemporaryDirectory(prefix="txmon-demo-") as scratch:
        app = App(_scratch_settings(cli.settings, scratch, as_of.date() if as_of else None))
        try:
            tag_store = TagStore(app.store, producer=app.producer(),
                                 topic=app.topic(TAG_UPDATES))
            refresh_designations(tag_store, seeds)
            first, *later = manifest_loads(seeds)
            apply_load(tag_store, first)
            app.tag_index = TagIndex(tag_store)
            click.echo(f"demo 1/3: lists as published {first.published} "
                       f"({first.format}); bus={app.bus.name}", err=True)
            published = _publish_demo_transfers(app, sources)
            engine = app.engine("txmon-demo")
            engine.run(idle_exit=1.0)
            click.echo(f"demo 1/3: {published} transfers screened", err=True)
            for item in later:
                apply_load(tag_store, item)  # publishes the delta on txmon.tags.updates
            click.echo("demo 2/3: loaded " + ", ".join(
                f"{i.format} {i.published}" for i in later), err=True)
            stats = engine.run(idle_exit=1.0)
            click.echo(f"demo 3/3: {stats.alerts_retroactive} retroactive alerts", err=True)
            count = print_alerts(app.alert_store.alerts(), as_json)
            click.echo(f"demo: {count} alerts in the verifiable feed", err=True)
            if stats.dead_letters:
                click.echo(f"demo: {stats.dead_letters} dead letters (reasons in the log)",
                           err=True)
        finally:
            app.close()
