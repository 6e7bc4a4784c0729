"""``txmon confirmations``: the FEFTA confirmation records (確認記録) of every screening.

    txmon confirmations list [--from DATE] [--to DATE] [--decision D] [--json]
    txmon confirmations export [--format ndjson|csv] [--from DATE] [--to DATE] [--out FILE]
    txmon confirmations verify
    txmon confirmations prune [--before DATE] [--by NAME]

Data on stdout, summaries on stderr. ``export --format ndjson`` writes the records exactly
as stored (``verify`` re-checks their hash chain); ``csv`` flattens them for a person.
``prune`` deletes records older than ``TXMON_CONFIRMATION_RETENTION_YEARS`` (10) and
refuses a ``--before`` that would delete younger ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import click

from screening.confirmation_export import csv_lines
from screening.confirmations import DECISIONS, ConfirmationLog, retention_cutoff, verify
from txmon.cli.context import CliContext, current_user, pass_cli
from txmon.cli.params import iso_date
from txmon.wire import dumps


def _range(func: Any) -> Any:
    func = click.option("--to", "until", callback=iso_date, help="Last day (UTC), inclusive.")(func)
    return click.option("--from", "since", callback=iso_date, help="First day (UTC).")(func)


def _log(cli: CliContext) -> ConfirmationLog:
    return ConfirmationLog(cli.store())


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@click.group()
def confirmations() -> None:
    """FEFTA confirmation records: who checked what, when, against which lists, result."""


@confirmations.command("list")
@_range
@click.option("--decision", type=click.Choice(DECISIONS), help="Only this decision.")
@click.option("--json", "as_json", is_flag=True, help="One record per line (NDJSON).")
@pass_cli
def list_(cli: CliContext, since: dt.date | None, until: dt.date | None,
          decision: str | None, as_json: bool) -> None:
    """Records in time order, optionally by date range and decision."""
    count = 0
    for entry in _log(cli).select(since=since, until=until, decision=decision):
        count += 1
        click.echo(dumps(entry).decode() if as_json else _line(entry))
    click.echo(f"{count} confirmation record(s)", err=True)


@confirmations.command()
@click.option("--format", "fmt", type=click.Choice(["ndjson", "csv"]), default="ndjson",
              show_default=True, help="ndjson: records as stored; csv: flattened.")
@_range
@click.option("--decision", type=click.Choice(DECISIONS), help="Only this decision.")
@click.option("--out", "-o", "out", type=click.File("w", encoding="utf-8"), default="-",
              show_default=True, help="File to write (- for stdout).")
@pass_cli
def export(cli: CliContext, fmt: str, since: dt.date | None, until: dt.date | None,
           decision: str | None, out: Any) -> None:
    """Write the records (for a regulator, an auditor, an archive)."""
    entries = _log(cli).select(since=since, until=until, decision=decision)
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for entry in entries:
            count += 1
            yield entry

    lines = csv_lines(counted()) if fmt == "csv" else (
        dumps(e).decode() + "\n" for e in counted())
    for line in lines:
        out.write(line)
    out.flush()
    click.echo(f"exported {count} confirmation record(s) as {fmt}", err=True)


@confirmations.command("verify")
@pass_cli
def verify_(cli: CliContext) -> None:
    """Re-check the hash chain of the stored records (from the prune anchor, if any)."""
    log = _log(cli)
    anchor = log.anchor()
    count = verify(log.entries(), anchor)  # FeedVerificationError → exit 2 with the seq
    since = f" after the anchor at seq {anchor['seq']}" if anchor else ""
    click.echo(f"ok: {count} confirmation record(s) verified{since}", err=True)


@confirmations.command()
@click.option("--before", callback=iso_date, help="Delete records made before this day "
              "[default: the retention cut-off].")
@click.option("--by", default=current_user, help="Who prunes [default: $USER].")
@pass_cli
def prune(cli: CliContext, before: dt.date | None, by: str) -> None:
    """Delete records older than the retention period (never younger ones)."""
    years = cli.settings.confirmation_retention_years
    today = _today()
    day = before or retention_cutoff(today, years)
    pruned = _log(cli).prune(day, today, years, by)  # RetentionError → exit 2
    click.echo(f"pruned {pruned} confirmation record(s) made before {day} "
               f"(retention {years} years)", err=True)


def _line(entry: dict[str, Any]) -> str:
    checked = ", ".join(f"{k} {v}" for k, v in (entry.get("checked") or {}).items()
                        if v is not None)
    return (f"#{entry['seq']} {entry.get('at')} {str(entry.get('decision')).upper():6} "
            f"{entry.get('kind')} ({checked}) by {entry.get('requested_by') or '-'}")
