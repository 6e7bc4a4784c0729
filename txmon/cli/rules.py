"""``txmon rules check FILE`` and ``txmon rules test FILE --against transfers.ndjson``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

import click

from rules.backtest import BacktestStats, backtest
from rules.prices import PriceTable
from rules.rulebook import load_rulebook
from rules.typecheck import check_rulebook
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.output import print_alerts
from txmon.errors import RulebookError
from txmon.vocabulary import vocabulary


@click.group()
def rules() -> None:
    """Validate a rulebook, or test it against recorded transfers (shadow mode)."""


@rules.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Validate and type-check FILE; errors name file, line and rule (exit 2 when invalid)."""
    book = load_rulebook(file)  # RulebookError → "txmon: error: …", exit 2
    errors = check_rulebook(book)  # every condition against the declared CEL variables
    if errors:
        raise RulebookError("\n".join(errors))
    exposure = book.exposure
    model = (f"exposure {exposure.model}, max {exposure.max_hops} hops, "
             f"min share {exposure.min_share_ppm / 10_000:g}%") if exposure else "no exposure"
    click.echo(f"OK: {file}: version {book.version}, {len(book.rules)} enabled rules, {model}; "
               f"tag vocabulary {vocabulary().version}")


@rules.command("test")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--against", "against", type=click.File("rb"), required=True,
              help="Canonical transfers NDJSON in block order (- for stdin).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="Evaluate the lists as of this date [default: each block's date].")
@click.option("--lookback/--point-in-time", default=True, show_default=True,
              help="Also raise the retroactive alerts the live engine raises for "
                   "counterparties designated after the transfer, or only what the lists "
                   "of each block's date say.")
@click.option("--json", "as_json", is_flag=True, help="One JSON alert per line.")
@pass_cli
def test(cli: CliContext, file: Path, against: BinaryIO,
         as_of: dt.datetime | None, lookback: bool, as_json: bool) -> None:
    """Show what FILE would raise on the transfers, storing nothing."""
    book = load_rulebook(file)
    prices_path = cli.settings.seeds_dir / "prices.csv"
    prices = PriceTable.load(prices_path) if prices_path.exists() else None
    stats = BacktestStats()
    day = as_of.date() if as_of else None
    count = print_alerts(backtest(against, book, cli.app.tag_index, prices, day, stats,
                                  lookback=lookback), as_json)
    for reason in stats.bad:
        click.echo(f"skipped {reason}", err=True)
    per_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(stats.by_rule.items()))
    click.echo(f"would raise {count} alerts on {stats.transfers} transfers "
               f"(rulebook {book.version}){': ' + per_rule if per_rule else ''}", err=True)
