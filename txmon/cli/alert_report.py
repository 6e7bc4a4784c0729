"""``txmon alerts report ALERT_ID --kind mof|ofac --format csv|html [--out FILE]``.

The report a compliance officer sends for a rejected or frozen transfer, built from one
stored alert (see :mod:`alerts.reports.fields`). Registered on the ``alerts`` group.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from alerts.feed import EVENT_TYPE
from alerts.reports.fields import ACTIONS, KINDS, build
from alerts.reports.render import to_csv, to_html
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.params import iso_date
from txmon.errors import TxmonError
from txmon.wire import alert_from_wire


@click.command("report")
@click.argument("alert_id")
@click.option("--kind", type=click.Choice(KINDS), required=True,
              help="mof: MOF/FSA report; ofac: OFAC blocked property / rejected transaction.")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="html",
              show_default=True, help="csv (one row per listed party) or a printable page.")
@click.option("--action", type=click.Choice(ACTIONS), help="What the exchange did "
              "[default: rejected for a withdrawal, blocked otherwise].")
@click.option("--action-date", callback=iso_date, help="Day it was rejected / blocked "
              "[default: the day the alert was raised]; OFAC's due date counts from it.")
@click.option("--reporter", default="(reporting institution)", show_default=True,
              help="Name of the reporting exchange.")
@click.option("--out", "-o", "out", type=click.File("w", encoding="utf-8"), default="-",
              show_default=True, help="File to write (- for stdout).")
@pass_cli
def report(cli: CliContext, alert_id: str, kind: str, fmt: str, action: str | None,
           action_date: dt.date | None, reporter: str, out: Any) -> None:
    """Write the regulator report of stored alert ALERT_ID."""
    event = _event(cli, alert_id)
    alert = alert_from_wire(event["data"])
    built = build(alert, event, kind, action, reporter, action_date,
                  dt.datetime.now(dt.UTC).date())
    out.write(to_csv(built) if fmt == "csv" else to_html(built))
    out.flush()
    due = f", due {built.due_date}" if built.due_date else ""
    click.echo(f"{built.title}: alert {alert_id}, {len(built.parties)} listed "
               f"party(ies){due}", err=True)


def _event(cli: CliContext, alert_id: str) -> dict[str, Any]:
    for _, event in cli.app.alert_store.events():
        if event.get("type", EVENT_TYPE) == EVENT_TYPE and event["data"]["id"] == alert_id:
            return event
    raise TxmonError(f"no stored alert {alert_id} (see txmon alerts list)")
