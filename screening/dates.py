"""Dates of birth as lists publish them: "19 Nov 1956", "1971", "00/00/1980",
"1924-02-21", "circa 1960", "1960 to 1962". Partial dates are the norm, so a parsed date
keeps only what was given and agreement is judged on the parts both sides know.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY_NAME = re.compile(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})")
_MY_NAME = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{4})")
_DMY_NUM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # UK list: dd/mm/yyyy, 00 = unknown
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date of which the month or day may be unknown; ``approx`` for "circa"."""

    year: int
    month: int | None = None
    day: int | None = None
    approx: bool = False


def parse(text: str) -> list[PartialDate]:
    """Every date ``text`` names (a range gives both ends); [] when none is readable."""
    approx = "circa" in text.lower() or "approx" in text.lower()
    for iso in _ISO.finditer(text):
        y, m, d = (int(g) for g in iso.groups())
        return [PartialDate(y, m or None, d or None, approx)]
    found = _DMY_NAME.search(text)
    if found and found.group(2).lower() in _MONTHS:
        return [PartialDate(int(found.group(3)), _MONTHS[found.group(2).lower()],
                            int(found.group(1)), approx)]
    found = _DMY_NUM.search(text)
    if found:
        d, m, y = (int(g) for g in found.groups())
        return [PartialDate(y, m or None, d or None, approx)]
    found = _MY_NAME.search(text)
    if found and found.group(1).lower() in _MONTHS:
        return [PartialDate(int(found.group(2)), _MONTHS[found.group(1).lower()], None, approx)]
    return [PartialDate(int(y), None, None, approx) for y in _YEAR.findall(text)]


def agreement(query: dt.date, listed: list[PartialDate]) -> str:
    """``exact``, ``year`` (agrees on what is known), ``differs`` or ``unknown``."""
    if not listed:
        return "unknown"
    best = "differs"
    for p in listed:
        slack = 1 if p.approx else 0
        if abs(p.year - query.year) > slack:
            continue
        if p.month is not None and p.month != query.month:
            continue
        if p.day is not None and p.day != query.day:
            continue
        if p.day is not None and not p.approx:
            return "exact"
        best = "year"
    return best
