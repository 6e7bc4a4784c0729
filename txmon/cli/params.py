"""Click parameter callbacks that several commands share (one wording for one mistake)."""

from __future__ import annotations

import datetime as dt

import click


def iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` option as a date; anything else is a usage error naming the value.

    A ``click.DateTime`` would also accept times and locale forms, and give a datetime.
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value}") from None
