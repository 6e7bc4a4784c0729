"""UK HM Treasury (OFSI) consolidated list, legacy CSV layout (cp1252) → listed parties.

Line 1 is ``Last Updated,DD/MM/YYYY``, line 2 the header; there is one row per name or
alias (and per DOB/address variant), grouped by ``Group ID``. ``Name 6`` is the surname
(or the whole name of an entity), ``Name 1``–``Name 5`` the given names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from enrich.sources.base import ListedParty, LoadedList
from enrich.sources.legacy_csv import read_text
from txmon.errors import ListFormatError

_REQUIRED = ("Name 6", "Group Type", "Alias Type", "Regime", "Group ID")


class UkCsvSource:
    """Loader for OFSI's legacy ``sanctionsconlist.csv``."""

    format = "uk-csv"
    source = "uk-hmt"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            lines = read_text(path, "cp1252").splitlines()
            if not lines or not lines[0].startswith("Last Updated,"):
                raise ListFormatError(str(path), "first line must be 'Last Updated,DD/MM/YYYY'", 1)
            result.published = _date(lines[0].split(",")[1]) or result.published
            reader = csv.DictReader(io.StringIO("\n".join(lines[1:])))
            missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
            if missing:
                raise ListFormatError(str(path), f"header lacks {missing}", 2)
            groups: dict[str, list[dict[str, str]]] = {}
            for row in reader:
                if not row.get("Group ID"):
                    raise ListFormatError(str(path), "row without Group ID", reader.line_num + 1)
                groups.setdefault(row["Group ID"], []).append(row)
            result.names.extend(_party(gid, rows) for gid, rows in groups.items())
        return result


def _full_name(row: dict[str, str]) -> str:
    parts = (row.get(f"Name {n}", "").strip() for n in range(1, 6))
    given = " ".join(p for p in parts if p)
    surname = row["Name 6"].strip()
    return f"{surname}, {given}" if given else surname


def _party(group_id: str, rows: list[dict[str, str]]) -> ListedParty:
    primary = next((r for r in rows if r["Alias Type"].strip().lower().startswith("prim")), rows[0])
    name = _full_name(primary)
    names = dict.fromkeys(_full_name(r) for r in rows)
    return ListedParty(
        list_id=group_id, source="uk-hmt", name=name,
        party_type="individual" if primary["Group Type"].strip() == "Individual" else "entity",
        aliases=tuple(n for n in names if n != name),
        dob=tuple(dict.fromkeys(r["DOB"].strip() for r in rows if r.get("DOB", "").strip())),
        nationality=tuple(dict.fromkeys(r["Nationality"].strip() for r in rows
                                        if r.get("Nationality", "").strip())),
        countries=tuple(dict.fromkeys(r["Country"].strip() for r in rows
                                      if r.get("Country", "").strip())),
        programs=tuple(dict.fromkeys(r["Regime"].strip() for r in rows if r["Regime"].strip())),
        listed_on=_date(primary.get("Listed On", "")))


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
