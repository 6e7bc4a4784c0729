"""What a loaded list version is, what changed between two, and their deterministic ids.

A version id is derived from the source, the publication date and the content, so
loading the same file twice is a no-op and every worker names a version the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from enrich.sources.base import ListedParty


@dataclass(frozen=True, slots=True)
class VersionMeta:
    """One loaded version of one source (a list as published on one day)."""

    version: str
    source: str
    published: dt.date
    format: str
    files: tuple[str, ...] = ()
    addresses: int = 0  # addresses in the published list (not counting history)
    names: int = 0
    previous: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"version": self.version, "source": self.source,
                "published": self.published.isoformat(), "format": self.format,
                "files": list(self.files), "addresses": self.addresses, "names": self.names,
                "previous": self.previous}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> VersionMeta:
        return cls(version=data["version"], source=data["source"],
                   published=dt.date.fromisoformat(data["published"]), format=data["format"],
                   files=tuple(data.get("files") or ()), addresses=int(data["addresses"]),
                   names=int(data.get("names", 0)), previous=data.get("previous"))


@dataclass(frozen=True, slots=True)
class Delta:
    """Addresses that entered and left a source's published list between two versions."""

    source: str
    version: str
    previous: str | None
    published: dt.date
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = field(default=())  # still listed, but tags differ
    parties: dict[str, str] = field(default_factory=dict)  # removed address → its party
    # Listed parties (names) added, removed or changed: a UN, EU, UK or MOF edition often
    # changes no address at all, yet every customer must be screened again against it.
    names_changed: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.names_changed)


@dataclass(frozen=True, slots=True)
class PartyDelta:
    """Listed parties added, removed and changed between two versions of one source."""

    added: tuple[ListedParty, ...] = ()
    removed: tuple[ListedParty, ...] = ()
    changed: tuple[ListedParty, ...] = ()


def version_id(source: str, published: dt.date, lines: Iterable[bytes]) -> str:
    """``source@YYYY-MM-DD#<12 hex>``: same content and date give the same id.

    ``lines`` are the canonical JSON of every tag and name; their order does not matter.
    """
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line)
        digest.update(b"\n")
    return f"{source}@{published.isoformat()}#{digest.hexdigest()[:12]}"
