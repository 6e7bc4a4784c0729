"""Facts OFAC writes into the free-text Remarks field: crypto addresses, DOB, nationality.

Remarks are cut at 1,000 characters in SDN.CSV and continue, mid-word, in
SDN_COMMENTS.CSV. A token that touches the cut (or the join with its continuation) is
emitted only if normalisation proves it complete (a checksum or a fixed layout);
otherwise it is reported as skipped, never emitted as an address. A token elsewhere
that fails its checksum is OFAC's typo: reported, not emitted, and the file still loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from txmon.addresses import NormalizedAddress, normalize
from txmon.errors import InvalidAddress

REMARKS_LIMIT = 1000
_ADDRESS = re.compile(r"Digital Currency Address - ([A-Za-z0-9]+)(?: ([^;\s]*))?")
_DOB = re.compile(r"(?:^|; )(?:alt\. )?DOB ([^;]+)")
_NATIONALITY = re.compile(r"(?:^|; )(?:alt\. )?(?:nationality|citizen) ([^;]+)")


@dataclass(frozen=True, slots=True)
class FoundAddress:
    """One ``Digital Currency Address - TICKER address`` mention."""

    ticker: str
    address: NormalizedAddress


@dataclass(frozen=True, slots=True)
class Rejected:
    """A mention that was not emitted, with the raw token and why."""

    ticker: str
    token: str
    reason: str


def join_remarks(remarks: str, overflow: str | None) -> tuple[str, int | None]:
    """Full remark text and the position of the cut (None if the remark was not cut)."""
    if len(remarks) < REMARKS_LIMIT:
        return remarks, None
    return remarks + (overflow or ""), len(remarks)


def addresses(text: str, cut: int | None) -> tuple[list[FoundAddress], list[Rejected]]:
    """Every complete address mentioned in ``text``; ``cut`` is where a join happened."""
    found: list[FoundAddress] = []
    rejected: list[Rejected] = []
    for match in _ADDRESS.finditer(text):
        ticker, token = match.group(1), (match.group(2) or "").rstrip(".")
        end = match.start(2) + len(token) if match.group(2) is not None else match.end()
        at_cut = cut is not None and match.start() < cut <= end + 1
        try:
            normal = normalize(token) if token else None
        except InvalidAddress as exc:
            reason = "cut fragment at the 1,000-character limit" if at_cut else str(exc)
            rejected.append(Rejected(ticker, token, reason))
            continue
        if normal is None or (at_cut and not normal.verified):
            rejected.append(Rejected(ticker, token, "cut fragment at the 1,000-character limit"))
            continue
        found.append(FoundAddress(ticker, normal))
    return found, rejected


def dates_of_birth(text: str) -> tuple[str, ...]:
    """Dates of birth as published (``12 Mar 1985``, ``1980``, ``circa 1960``)."""
    return tuple(m.group(1).strip().rstrip(".") for m in _DOB.finditer(text))


def nationalities(text: str) -> tuple[str, ...]:
    """Nationality and citizenship countries, without repeats."""
    seen = dict.fromkeys(m.group(1).strip().rstrip(".") for m in _NATIONALITY.finditer(text))
    return tuple(seen)
