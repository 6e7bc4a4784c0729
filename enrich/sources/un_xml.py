"""UN Security Council Consolidated List XML → listed parties (it has no crypto addresses).

``UN_LIST_TYPE`` (DPRK, Al-Qaida, …) becomes the program and ``REFERENCE_NUMBER`` the
list id; ``LISTED_ON`` is kept because the UN list, unlike OFAC's, publishes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from enrich.sources import xmlfile
from enrich.sources.base import ListedParty, LoadedList
from txmon.errors import ListFormatError

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


class UnXmlSource:
    """Loader for the UN SC consolidated list."""

    format = "un-xml"
    source = "un-sc"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            root = xmlfile.parse(path, "CONSOLIDATED_LIST")
            generated = root.get("dateGenerated")
            if generated:
                result.published = dt.date.fromisoformat(generated[:10])
            for kind in ("INDIVIDUAL", "ENTITY"):
                for element in xmlfile.descendants(root, kind):
                    result.names.append(_party(path, element, kind.lower()))
        return result


def _party(path: Path, element: Element, kind: str) -> ListedParty:
    reference = xmlfile.text(element, "REFERENCE_NUMBER") or xmlfile.text(element, "DATAID")
    name = " ".join(p for p in (xmlfile.text(element, n) for n in _NAME_PARTS) if p)
    if not reference or not name:
        raise ListFormatError(str(path), f"{kind} without reference number or name")
    listed = xmlfile.text(element, "LISTED_ON")
    aliases = (a.text.strip() for a in xmlfile.descendants(element, "ALIAS_NAME") if a.text)
    return ListedParty(
        list_id=reference, source="un-sc", name=name, party_type=kind,
        aliases=tuple(dict.fromkeys(a for a in aliases if a)),
        dob=tuple(_dob(d) for d in xmlfile.descendants(element, "INDIVIDUAL_DATE_OF_BIRTH")
                  if _dob(d)),
        nationality=tuple(v.text.strip() for n in xmlfile.children(element, "NATIONALITY")
                          for v in xmlfile.children(n, "VALUE") if v.text),
        countries=tuple(dict.fromkeys(
            c.text.strip() for c in xmlfile.descendants(element, "COUNTRY") if c.text)),
        programs=tuple(p for p in [xmlfile.text(element, "UN_LIST_TYPE")] if p),
        listed_on=_date(listed))


def _dob(element: Element) -> str:
    exact = xmlfile.text(element, "DATE") or xmlfile.text(element, "YEAR")
    if exact:
        return exact
    low, high = xmlfile.text(element, "FROM_YEAR"), xmlfile.text(element, "TO_YEAR")
    return f"{low}-{high}" if low and high else ""


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
