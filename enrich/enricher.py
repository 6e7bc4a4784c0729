"""The enrich stage: attach to each address of a transfer the tags active on a date.

The date is the transfer's block date in live evaluation (the lists as they stood
then) or an explicit as-of date for investigators; either way the same input gives the
same output, which is what makes live and replayed alerts identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from txmon.models import Tag, Transfer


class TagLookup(Protocol):
    """Anything that returns every tag (past and present) known for an address."""

    def tags_for(self, address: str) -> Sequence[Tag]:
        """All tags of ``address``; point-in-time filtering is the caller's job."""
        ...


@dataclass(frozen=True, slots=True)
class AddressHit:
    """A tagged address on one side of a transfer, with the tags active on the date."""

    address: str
    side: str  # "input" or "output"
    amount: int
    tags: tuple[Tag, ...]


@dataclass(frozen=True, slots=True)
class EnrichedTransfer:
    """A transfer plus its tagged addresses, evaluated as of ``as_of``."""

    transfer: Transfer
    as_of: dt.date
    hits: tuple[AddressHit, ...]
    # Tags of the transfer's addresses designated only after ``as_of``: what a later list
    # says about an earlier flow (the engine raises retroactive alerts from them).
    designated_later: tuple[Tag, ...] = ()


def evaluation_date(transfer: Transfer, as_of: dt.date | None) -> dt.date:
    """As-of date if given, else the block date, else (pending, exchange) today in UTC."""
    if as_of is not None:
        return as_of
    if transfer.block_time is not None:
        return transfer.block_time.astimezone(dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


class Enricher:
    """Looks every leg's address up once and keeps the tags active on the date.

    Runs once per transfer, so it is written for the miss (an untagged address): one
    index probe per leg, no allocation unless a leg is tagged. The block date of the
    previous transfer is remembered, since consecutive transfers share a block.
    """

    def __init__(self, lookup: TagLookup) -> None:
        self._lookup = lookup
        self._last: tuple[dt.datetime | None, dt.date] | None = None

    def _day(self, transfer: Transfer, as_of: dt.date | None) -> dt.date:
        if as_of is not None or transfer.block_time is None:
            return evaluation_date(transfer, as_of)
        last = self._last
        if last is not None and last[0] == transfer.block_time:
            return last[1]
        day = evaluation_date(transfer, None)
        self._last = (transfer.block_time, day)
        return day

    def enrich(self, transfer: Transfer, as_of: dt.date | None = None) -> EnrichedTransfer:
        day = self._day(transfer, as_of)
        tags_for = self._lookup.tags_for
        hits: list[AddressHit] = []
        later: list[Tag] = []
        for side, legs in (("input", transfer.inputs), ("output", transfer.outputs)):
            for leg in legs:
                tags = tags_for(leg.address)
                if not tags:
                    continue
                active = tuple(t for t in tags if t.active_on(day))
                if active:
                    hits.append(AddressHit(leg.address, side, leg.amount, active))
                later.extend(t for t in tags if t.listed_at is not None and t.listed_at > day)
        return EnrichedTransfer(transfer, day, tuple(hits), tuple(later))
