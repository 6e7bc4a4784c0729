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

Embedded, the demo's state lives in ``DATA_DIR/demo`` — its own deployment, so that demo
alerts (illustrative ones included) never enter the product's real alert feed — and stays
there, so that ``txmon --data-dir DATA_DIR/demo alerts list``, ``export``, ``verify`` and
``api`` work on it afterwards (the demo prints those commands). The acts run in a scratch
folder that is renamed into place when they finish: the folder exists only complete, a
re-run shows it again without raising anything twice, and ``--fresh`` deletes that one
folder and starts over. With ``--bus``/``--store`` it runs on Kafka/Redis under a new
namespace each time, which the printed commands name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shlex
import shutil
import sys
import tempfile
import uuid
from collections.abc import Mapping
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
DEMO_DIR = "demo"  # under the data dir: the demo's own embedded deployment
RUN_FILE = "demo-run.json"  # the options the state was made with
DEMO_TOKEN = "demo-token-not-secret"  # noqa: S105 - printed on purpose, for demo data only
# The console's demo users (token=role:name), printed on purpose like DEMO_TOKEN: an
# analyst, two supervisors (four-eyes needs two) and the regulator of DEMO_TOKEN.
DEMO_USERS = (f"{DEMO_TOKEN}=regulator:regulator,demo-analyst-not-secret=analyst:alice,"
              "demo-supervisor-not-secret=supervisor:sam,"
              "demo-supervisor2-not-secret=supervisor:sofia")
TORNADO = "0x722122df12d4e14e13ac3b6895a86e84145b6967"


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
@click.option("--fresh", is_flag=True,
              help="Delete the demo's state (DATA_DIR/demo, nothing else) and start over.")
@pass_cli
def demo(cli: CliContext, as_of: dt.datetime | None, as_json: bool,
         transfers: tuple[str, ...], fresh: bool) -> None:
    """Run ingest → enrich → rules → alerts on shipped data and print the alerts."""
    seeds = cli.settings.seeds_dir
    sources = [Path(t).resolve() for t in transfers] or [seeds / "demo" / n for n in DEMO_FILES]
    day = as_of.date() if as_of else None
    book = Path(cli.settings.rulebook)
    run = {"as_of": day.isoformat() if day else None, "transfers": [str(p) for p in sources],
           # another rulebook (or an edited one) raises other alerts: not the earlier run
           "rulebook": [str(book.resolve()), hashlib.sha256(book.read_bytes()).hexdigest()]
           if book.is_file() else str(book)}
    if cli.settings.bus or cli.settings.store:
        settings = cli.settings.model_copy(update={
            "as_of": day, "namespace": "-".join(filter(None, [cli.settings.namespace, "demo",
                                                uuid.uuid4().hex[:8]]))})
        _run_acts(settings, seeds, sources, as_json)
        _next_commands(settings, None)
        return
    home = Path(cli.settings.data_dir) / DEMO_DIR
    if fresh and home.exists():
        shutil.rmtree(home)
        click.echo(f"demo: deleted the earlier demo state in {home}", err=True)
    if home.is_dir():
        _show_earlier(cli.settings.model_copy(update={"data_dir": home}), run, as_json)
    else:
        home.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".demo-", dir=home.parent))
        try:
            _run_acts(cli.settings.model_copy(update={"as_of": day, "data_dir": scratch}),
                      seeds, sources, as_json)
            (scratch / RUN_FILE).write_text(json.dumps(run, indent=1) + "\n", "utf-8")
            scratch.rename(home)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)  # only left over if a step failed
    _next_commands(cli.settings.model_copy(update={"data_dir": home}), home)


def _run_acts(settings: Settings, seeds: Path, sources: list[Path], as_json: bool) -> None:
    """The three acts of the module docstring, on the backends ``settings`` name."""
    app = App(settings)
    try:
        tag_store = TagStore(app.store, producer=app.producer(), topic=app.topic(TAG_UPDATES))
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
            click.echo(f"demo: {stats.dead_letters} dead letters (reasons in the log)", err=True)
    finally:
        app.close()


def _show_earlier(settings: Settings, run: Mapping[str, object], as_json: bool) -> None:
    """A finished earlier run: show its alerts again (raising nothing twice)."""
    home = settings.data_dir
    made = json.loads((home / RUN_FILE).read_text("utf-8")) if (home / RUN_FILE).is_file() \
        else None
    if made != run:
        raise click.UsageError(f"the demo state in {home} was made with other options "
                               f"({made}); add --fresh to start over with these")
    app = App(settings)
    try:
        count = print_alerts(app.alert_store.alerts(), as_json)
    finally:
        app.close()
    click.echo(f"demo: {count} alerts in the verifiable feed, from the earlier run kept in "
               f"{home} (txmon demo --fresh starts over)", err=True)


def _next_commands(settings: Settings, home: Path | None) -> None:
    """What to try next on the state the demo left, as commands that work as printed."""
    exe = "txmon" if shutil.which("txmon") or Path(sys.argv[0]).name != "txmon" \
        else sys.argv[0]
    given = ([f"--data-dir {shlex.quote(str(home))}"] if home is not None else
             [f"--{name} {shlex.quote(str(getattr(settings, name)))}"
              for name in ("bus", "store", "namespace") if getattr(settings, name)])
    txmon = " ".join([exe, *given])
    click.echo("\nnext, on the demo's state:\n" + "\n".join(f"  {line}" for line in (
        f"{txmon} alerts list",
        f"{txmon} alerts export --out feed.ndjson",
        f"{exe} alerts verify feed.ndjson",
        f"{txmon} tags lookup {TORNADO}",
        f"TXMON_API_TOKENS={DEMO_USERS} {txmon} api   # needs txmon[api]; console at "
        "http://127.0.0.1:8080/ (sign in with demo-analyst-not-secret); then",
        f"curl -H 'Authorization: Bearer {DEMO_TOKEN}' http://127.0.0.1:8080/v1/alerts",
    )), err=True)
