"""OFAC XML in the ``sdnList`` schema (SDN.XML, consolidated.xml) → tags and names.

Digital currency addresses appear as ``<id>`` items whose ``idType`` is
``Digital Currency Address - <TICKER>``; the XML has no 1,000-character cut, so every
such address must normalise: one that does not rejects the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from enrich.sources import xmlfile
from enrich.sources.base import ListedParty, LoadedList
from txmon.addresses import normalize
from txmon.errors import InvalidAddress, ListFormatError
from txmon.models import Tag, TagKind

_PREFIX = "Digital Currency Address - "


class OfacXmlSource:
    """Loader for OFAC ``sdnList`` XML files."""

    format = "ofac-xml"
    source = "ofac-sdn"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            root = xmlfile.parse(path, "sdnList")
            result.published = _published(path, root) or result.published
            for entry in xmlfile.children(root, "sdnEntry"):
                _entry(result, path, entry)
        return result


def _published(path: Path, root: Element) -> dt.date | None:
    for info in xmlfile.children(root, "publshInformation"):
        value = xmlfile.text(info, "Publish_Date")
        if value:
            try:
                return dt.datetime.strptime(value, "%m/%d/%Y").date()
            except ValueError:
                raise ListFormatError(str(path), f"bad Publish_Date {value!r}") from None
    return None


def _name(element: Element) -> str:
    last, first = xmlfile.text(element, "lastName") or "", xmlfile.text(element, "firstName")
    return f"{last}, {first}" if first else last


def _entry(result: LoadedList, path: Path, entry: Element) -> None:
    uid = xmlfile.text(entry, "uid")
    name = _name(entry)
    if not uid or not name:
        raise ListFormatError(str(path), f"sdnEntry without uid or name (uid {uid!r})")
    programs = tuple(p.text.strip() for p in xmlfile.descendants(entry, "program") if p.text)
    for item in xmlfile.descendants(entry, "id"):
        id_type = xmlfile.text(item, "idType") or ""
        if id_type.startswith(_PREFIX):
            raw = xmlfile.text(item, "idNumber") or ""
            try:
                normal = normalize(raw)
            except InvalidAddress as exc:
                raise ListFormatError(str(path), f"sdnEntry {uid}: {exc}") from None
            result.tags.append(Tag(
                address=normal.address, chain=normal.chain_family, source=result.source,
                kind=TagKind.SANCTION, entity=name, category="sanctioned", programs=programs,
                list_id=uid, dates_from="version", asset=id_type[len(_PREFIX):].strip()))
    result.names.append(ListedParty(
        list_id=uid, source=result.source, name=name,
        party_type=(xmlfile.text(entry, "sdnType") or "entity").lower(),
        aliases=tuple(_name(a) for a in xmlfile.descendants(entry, "aka")),
        dob=tuple(d.text.strip() for d in xmlfile.descendants(entry, "dateOfBirth") if d.text),
        nationality=_countries(entry, ("nationality", "citizenship")),
        countries=_countries(entry, ("address",)), programs=programs))


def _countries(entry: Element, parents: tuple[str, ...]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for parent in parents:
        for element in xmlfile.descendants(entry, parent):
            country = xmlfile.text(element, "country")
            if country:
                found.setdefault(country)
    return tuple(found)
