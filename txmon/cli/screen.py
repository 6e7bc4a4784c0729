"""``txmon screen``: the pre-withdrawal decision for an address, or a name screening.

    txmon screen ADDRESS [--chain C] [--customer ID] [--json]
    txmon screen --name NAME [--dob YYYY-MM-DD] [--country CC] [--json]
    txmon screen --batch [--progress] < queries.ndjson > decisions.ndjson

``--batch`` is a Unix filter (:mod:`screening.batch`): one NDJSON query per stdin line,
one decision per stdout line with the query's ``id``; a line that cannot be decided is
answered with ``{"id", "line", "error"}`` and the run goes on, ending with exit status 1.
``--by`` (default ``$USER``) names who asked, in every confirmation record.

The answer (``allow``/``review``/``block`` with reasons) goes to stdout; every answer is
also recorded in the confirmation log. Exit status is 0 whatever the decision: the
decision is data, an error is not. An address that breaks its own format or is not one
of ``--chain``, a value beyond ``MAX_VALUE_JPY`` or a name with no letters is an error
(exit 2, nothing recorded); an address in no format we can verify is a ``review``
(see :mod:`screening.reading`).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from screening.batch import screen_lines
from screening.matcher import NameQuery
from screening.reading import CHAIN_FAMILIES
from screening.runtime import open_service
from screening.service import MAX_VALUE_JPY
from txmon.cli.context import CliContext, current_user
from txmon.cli.params import iso_date
from txmon.cli.progress import Progress, regular_file_size
from txmon.wire import dumps


def _country(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) != 2 or not value.isalpha():
        raise click.BadParameter("expected an ISO 3166-1 alpha-2 code such as JP")
    return value.upper()


@click.command()
@click.argument("address", required=False)
@click.option("--chain", type=click.Choice(sorted(CHAIN_FAMILIES)),
              help="Chain of ADDRESS, which must then be an address of it; default: any.")
@click.option("--customer", help="Exchange account behind the withdrawal (KYC is screened).")
@click.option("--value-jpy", type=click.IntRange(0, MAX_VALUE_JPY),
              help="Withdrawal value in yen: above ¥30,000,000 it is flagged for the MOF report.")
@click.option("--name", help="Screen this name instead of an address.")
@click.option("--dob", callback=iso_date, help="Date of birth for --name (YYYY-MM-DD).")
@click.option("--country", callback=_country, help="Nationality/residence for --name (CC).")
@click.option("--transfer", help="Withdrawal / transfer id the ADDRESS check is for (kept in "
              "the confirmation record).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option("--batch", is_flag=True, help="NDJSON queries on stdin, one decision per line "
              "on stdout (see docs/screening.md).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr for "
              "--batch [default: when stderr is a terminal].")
@click.option("--by", default=current_user, help="Who asks, for the confirmation record "
              "[default: $USER].")
@click.pass_obj
def screen(obj: CliContext, address: str | None, chain: str | None, customer: str | None,
           value_jpy: int | None, name: str | None, dob: dt.date | None, country: str | None,
           transfer: str | None, as_json: bool, batch: bool, progress: bool | None,
           by: str) -> None:
    """Decide allow / review / block for ADDRESS, or for --name, or for each --batch line."""
    if batch:
        if address or name or chain or customer or value_jpy is not None or dob or country \
                or transfer:
            raise click.UsageError("--batch reads every query from stdin: no ADDRESS or "
                                   "query options")
        _batch(obj, by, progress)
        return
    if progress is not None:
        raise click.UsageError("--progress goes with --batch")
    if (address is None) == (name is None):
        raise click.UsageError("give either ADDRESS or --name NAME")
    if name is None and (dob or country):
        raise click.UsageError("--dob and --country go with --name")
    if name is not None and (chain or customer or value_jpy is not None or transfer):
        raise click.UsageError("--chain, --customer, --value-jpy and --transfer go with ADDRESS")
    service = open_service(obj.app)
    if name is not None:
        answer = service.screen_name(NameQuery(name, dob, country), by=by)
    else:
        assert address is not None
        answer = service.screen_address(address, chain=chain, customer=customer,
                                        value_jpy=value_jpy, by=by, transfer=transfer)
    click.echo(dumps(answer).decode() if as_json else _human(answer))


CHUNK = 64


def _batch(obj: CliContext, by: str, progress: bool | None) -> None:
    """stdin → decisions on stdout; exit 1 at the end if any line was an error."""
    stdin = sys.stdin.buffer
    try:
        size = regular_file_size(stdin.fileno())
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests) has no fd
        size = None
    bar = Progress(sys.stderr, sys.stderr.isatty() if progress is None else progress, size)
    service = open_service(obj.app)
    service.matcher()  # the name index, built once before the first line
    out = sys.stdout.buffer
    sizes: list[int] = []

    def lines() -> Any:
        for raw in stdin:
            sizes.append(len(raw))
            yield raw

    # A file is read in chunks of CHUNK lines, recorded in one transaction each (group
    # commit); a pipe or terminal gets each answer as soon as its line is read.
    chunk = CHUNK if size is not None else 1
    for outcome in screen_lines(service, lines(), by=by, chunk=chunk):
        out.write(dumps(outcome.body) + b"\n")
        bar.step(sum(sizes), outcome.ok)
        sizes.clear()
    out.flush()
    bar.done()
    if bar.errors:
        click.echo(f"txmon: {bar.errors} of {bar.lines} lines could not be screened "
                   "(error lines on stdout)", err=True)
        sys.exit(1)



def _human(answer: dict[str, Any]) -> str:
    checked = ", ".join(f"{k} {v}" for k, v in answer["checked"].items() if v is not None)
    lines = [f"{answer['decision'].upper()}  ({checked})"]
    lines += [f"  - [{r['outcome']}] {r['code']}: {r['detail']}" for r in answer["reasons"]]
    versions = ", ".join(f"{s} {v}" for s, v in sorted(answer["list_versions"].items()))
    lines.append(f"  lists: {versions or 'none loaded'}")
    lines.append(f"  confirmation #{answer['confirmation']['seq']} at {answer['at']}")
    return "\n".join(lines)
