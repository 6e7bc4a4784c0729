"""EU consolidated financial sanctions list XML → listed parties.

Two layouts: the current FSF export v1.1 (root ``export``, ``sanctionEntity`` with
``nameAlias``/``regulation``/``birthdate``/``citizenship``; XSD in shared data) and the
obsolete FSD layout (root ``WHOLE``, ``ENTITY`` with ``NAME``/``BIRTH``/``CITIZEN``), of
which a real 2016 excerpt exists. Neither carries crypto addresses today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from enrich.sources import xmlfile
from enrich.sources.base import ListedParty, LoadedList
from txmon.errors import ListFormatError


class EuXmlSource:
    """Loader for the EU list (FSF v1.1 or legacy FSD)."""

    format = "eu-xml"
    source = "eu-fsf"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            root = xmlfile.parse(path, ("export", "WHOLE"))
            if xmlfile.local(root.tag) == "export":
                result.published = _iso(root.get("generationDate")) or result.published
                result.names.extend(_v11(path, e) for e in xmlfile.children(root, "sanctionEntity"))
            else:
                result.published = _dmy(root.get("Date")) or result.published
                result.names.extend(_fsd(path, e) for e in xmlfile.children(root, "ENTITY"))
        return result


def _v11(path: Path, entity: Element) -> ListedParty:
    names = [a.get("wholeName", "").strip() for a in xmlfile.children(entity, "nameAlias")]
    names = [n for n in dict.fromkeys(names) if n]
    list_id = entity.get("euReferenceNumber") or entity.get("logicalId")
    if not names or not list_id:
        raise ListFormatError(str(path), f"sanctionEntity {entity.get('logicalId')!r} lacks a name")
    subject = next(iter(xmlfile.children(entity, "subjectType")), None)
    code = subject.get("code", "") if subject is not None else ""
    regulations = xmlfile.children(entity, "regulation")
    return ListedParty(
        list_id=list_id, source="eu-fsf", name=names[0], aliases=tuple(names[1:]),
        party_type="individual" if code == "person" else "entity",
        dob=tuple(b.get("birthdate") or b.get("year") or "" for b in
                  xmlfile.children(entity, "birthdate") if b.get("birthdate") or b.get("year")),
        nationality=tuple(c.get("countryDescription", "") for c in
                          xmlfile.children(entity, "citizenship") if c.get("countryDescription")),
        countries=tuple(a.get("countryDescription", "") for a in
                        xmlfile.children(entity, "address") if a.get("countryDescription")),
        programs=tuple(dict.fromkeys(r.get("programme", "") for r in regulations
                                     if r.get("programme"))),
        listed_on=min((d for d in (_iso(r.get("publicationDate")) for r in regulations) if d),
                      default=None))


def _fsd(path: Path, entity: Element) -> ListedParty:
    names = [xmlfile.text(n, "WHOLENAME") or "" for n in xmlfile.children(entity, "NAME")]
    names = [n for n in dict.fromkeys(names) if n]
    if not names or not entity.get("Id"):
        raise ListFormatError(str(path), f"ENTITY {entity.get('Id')!r} lacks a name")
    return ListedParty(
        list_id=entity.get("Id", ""), source="eu-fsf", name=names[0], aliases=tuple(names[1:]),
        party_type="individual" if entity.get("Type") == "P" else "entity",
        dob=tuple(xmlfile.text(b, "DATE") or "" for b in xmlfile.children(entity, "BIRTH")
                  if xmlfile.text(b, "DATE")),
        nationality=tuple(xmlfile.text(c, "COUNTRY") or "" for c in
                          xmlfile.children(entity, "CITIZEN") if xmlfile.text(c, "COUNTRY")),
        countries=tuple(xmlfile.text(a, "COUNTRY") or "" for a in
                        xmlfile.children(entity, "ADDRESS") if xmlfile.text(a, "COUNTRY")),
        programs=tuple(p for p in [entity.get("programme")] if p),
        listed_on=_iso(entity.get("reg_date")))


def _iso(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _dmy(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date() if value else None
    except ValueError:
        return None
