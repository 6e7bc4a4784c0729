"""The one interface every list loader implements, and what a loaded list is.

A loader turns the files of one published list into a :class:`LoadedList`: address tags
(for screening transfers) and listed parties (names, for name screening), plus the
publication date when the files carry one. A loader has one job — parse its format — and
decides nothing about versions or dates of designation; the tag store does that.

Lifecycle: ``loader.load(paths)`` either returns a complete ``LoadedList`` or raises
:class:`~txmon.errors.ListFormatError` naming file, line and reason. There is no partial
result: a malformed file is rejected whole, so the active version stays in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from txmon.models import Tag


@dataclass(frozen=True, slots=True)
class ListedParty:
    """A designated person or organisation as a list names it (for name screening).

    Dates of birth and nationalities are kept as published ("12 Mar 1985", "1980",
    "circa 1960"): partial dates are the norm, and normalising them is the screener's job.
    """

    list_id: str
    source: str
    name: str
    party_type: str = "entity"  # individual | entity | vessel | aircraft
    aliases: tuple[str, ...] = ()
    dob: tuple[str, ...] = ()
    nationality: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An ERC-20 contract with the decimals needed to turn base units into amounts."""

    chain: str
    contract: str
    symbol: str
    decimals: int
    name: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A piece of input deliberately not emitted (e.g. an address cut at OFAC's limit)."""

    path: str
    line: int | None
    text: str
    reason: str


@dataclass(slots=True)
class LoadedList:
    """Everything one load produced. ``source`` names the list (ofac-sdn, graphsense…)."""

    source: str
    tags: list[Tag] = field(default_factory=list)
    names: list[ListedParty] = field(default_factory=list)
    published: dt.date | None = None
    tokens: list[TokenInfo] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: tuple[str, ...] = ()
    # Input read with a repair or left out on purpose while the file still loads (a typo
    # in a date, an unknown column): reported, unlike ``skipped``, nothing was dropped
    # that the list meant to say.
    warnings: list[Skipped] = field(default_factory=list)
    # For a tag an earlier version held and this one does not: the date the list itself
    # says it ended (a deleted notice), or None to date it by this version.
    ended_on: Callable[[Tag], dt.date | None] | None = None


class TagSource(Protocol):
    """A loader for one list format. ``source`` is the default list name it produces."""

    format: str
    source: str

    def load(self, paths: Sequence[Path]) -> LoadedList:
        """Parse ``paths`` (one published list) or raise ListFormatError."""
        ...
