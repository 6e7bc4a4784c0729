"""The cited override file: designation and delisting dates that lists do not carry.

OFAC's files say *that* an address is listed, not *since when*. ``seeds/designations.yaml``
gives, per entity (by list id) or per address, the dates from OFAC's recent-actions press
releases, each with its citation. At read time these replace dates that rest only on
version publication dates (``dates_from="version"``); dates a source itself publishes
are never overridden. An address-level entry wins over its entity's entry, because
addresses are often added to an existing designation later (Lazarus Group, 2017 → 2022).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from txmon.addresses import normalize
from txmon.errors import ListFormatError
from txmon.models import Tag


@dataclass(frozen=True, slots=True)
class Designation:
    """Dates for one entity or address of one source, and where they come from."""

    source: str
    designated: dt.date | None
    delisted: dt.date | None
    citation: str
    list_id: str | None = None
    address: str | None = None
    entity: str | None = None


class Designations:
    """Lookup of override dates by (source, address) and (source, list id)."""

    def __init__(self, entries: list[Designation]) -> None:
        self.entries = entries
        self._by_address = {(e.source, e.address): e for e in entries if e.address}
        self._by_list_id = {
            (e.source, e.list_id): e for e in entries if e.list_id and not e.address
        }

    def find(self, tag: Tag) -> Designation | None:
        """The override for ``tag``, address-level first."""
        found = self._by_address.get((tag.source, tag.address))
        if found is None and tag.list_id:
            found = self._by_list_id.get((tag.source, tag.list_id))
        return found

    def resolve(self, tag: Tag) -> Tag:
        """``tag`` with override dates applied where its own rest on versions only."""
        if tag.dates_from == "source":
            return tag
        entry = self.find(tag)
        if entry is None or entry.designated is None:
            return tag
        listed = entry.designated
        if tag.listed_at is not None and tag.listed_at < listed:
            return tag  # a version already held it earlier: the override must be wrong
        delisted, basis = tag.delisted_at, "override"
        if entry.delisted is not None:
            delisted = entry.delisted
        elif delisted is not None:
            basis = "version"  # removal is only known from a version
        return dataclasses.replace(tag, listed_at=listed, delisted_at=delisted, dates_from=basis)

    @classmethod
    def empty(cls) -> Designations:
        return cls([])

    @classmethod
    def from_wire(cls, data: Any, path: str = "<designations>") -> Designations:
        """Parse the YAML/JSON structure; any bad entry rejects the whole file."""
        if not isinstance(data, dict) or not isinstance(data.get("designations"), list):
            raise ListFormatError(path, "expected a mapping with a 'designations' list")
        return cls([_entry(item, path, n) for n, item in enumerate(data["designations"], 1)])

    @classmethod
    def load(cls, path: Path) -> Designations:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise ListFormatError(str(path), f"not YAML: {exc}", line) from exc
        return cls.from_wire(data, str(path))

    def to_wire(self) -> dict[str, Any]:
        return {"designations": [
            {k: (v.isoformat() if isinstance(v, dt.date) else v)
             for k, v in dataclasses.asdict(e).items() if v is not None}
            for e in self.entries
        ]}


def _entry(item: Any, path: str, n: int) -> Designation:
    if not isinstance(item, dict) or not item.get("source") or not item.get("citation"):
        raise ListFormatError(path, f"entry {n}: needs 'source' and 'citation'")
    if not item.get("list_id") and not item.get("address"):
        raise ListFormatError(path, f"entry {n}: needs 'list_id' or 'address'")
    address = item.get("address")
    return Designation(source=str(item["source"]),
                       designated=_date(item.get("designated"), path, n),
                       delisted=_date(item.get("delisted"), path, n),
                       citation=str(item["citation"]).strip(),
                       list_id=str(item["list_id"]) if item.get("list_id") else None,
                       address=normalize(str(address)).address if address else None,
                       entity=item.get("entity"))


def _date(value: Any, path: str, n: int) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ListFormatError(path, f"entry {n}: not a date: {value!r}") from None
