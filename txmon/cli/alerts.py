"""``txmon alerts list | export | verify``: read the stored feed and prove it intact."""

from __future__ import annotations

import sys

import click

from alerts.feed import parse_ndjson, verify_events
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.output import print_alerts
from txmon.errors import FeedVerificationError


@click.group()
def alerts() -> None:
    """Stored alerts and the verifiable regulator feed."""


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_cli
def list_alerts(cli: CliContext, as_json: bool) -> None:
    """Every stored alert in feed order."""
    count = print_alerts(cli.app.alert_store.alerts(), as_json)
    click.echo(f"{count} alerts", err=True)


@alerts.command("export")
@click.option("--out", "out", type=click.File("wb"), default="-", show_default=True,
              help="File to write (- for stdout).")
@click.option("--from-seq", type=int, default=1, show_default=True)
@pass_cli
def export(cli: CliContext, out: click.utils.LazyFile, from_seq: int) -> None:
    """Write the feed (CloudEvents, hash-chained) as NDJSON."""
    count = 0
    for _, raw in cli.app.alert_store.raw_events(from_seq):
        out.write(raw + b"\n")
        count += 1
    click.echo(f"exported {count} events", err=True)


@alerts.command("verify")
@click.argument("file", type=click.File("rb"), default="-")
def verify(file: click.utils.LazyFile) -> None:
    """Prove an exported feed has no gap and no edited or removed alert (stdin if no FILE)."""
    try:
        count = verify_events(parse_ndjson(file))
    except FeedVerificationError as exc:
        click.echo(f"FAILED: {exc}", err=True)
        sys.exit(1)
    click.echo(f"OK: {count} events, sequence contiguous, hash chain intact", err=True)
