"""OFAC legacy CSV set: SDN.CSV (+ ALT.CSV, ADD.CSV, SDN_COMMENTS.CSV) → tags and names.

Files are told apart by name (``sdn.csv``/``cons_prim.csv`` is the primary file,
``alt``, ``add`` and ``comments`` the companions), so the CLI can take them in any
order. ALT and ADD are optional; rows whose ``ent_num`` has no primary row (companions
from another release) are ignored, as OFAC's files are often fetched on different days.

SDN_COMMENTS.CSV is not optional when the primary file has a remark cut at 1,000
characters: the rest of that remark, often most of an entity's addresses, is only there
(the 2024-05-03 SDN.CSV alone yields 280 of the 586 addresses it lists). Without it the
load is refused, naming the file, unless the caller accepts the loss
(``allow_truncated_remarks``, the CLI's ``--allow-truncated-remarks``); then each cut
remark is reported as skipped and their count is a warning of the loaded list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from enrich.sources import legacy_csv, ofac_remarks
from enrich.sources.base import ListedParty, LoadedList, Skipped
from txmon.errors import ListFormatError
from txmon.models import Tag, TagKind

_ROLES = {"sdn": "primary", "cons_prim": "primary", "prim": "primary", "alt": "alt",
          "cons_alt": "alt", "add": "add", "cons_add": "add", "sdn_comments": "comments",
          "cons_comments": "comments", "comments": "comments"}
_PARTY_TYPES = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}


@dataclass
class _Companions:
    aliases: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    countries: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    overflow: dict[int, str] = field(default_factory=dict)


def file_role(path: Path) -> str:
    """Which file of the set ``path`` is, from its name (case-insensitive)."""
    role = _ROLES.get(path.stem.lower())
    if role is None:
        raise ListFormatError(str(path), "not an OFAC legacy CSV name (sdn/alt/add/sdn_comments)")
    return role


class OfacCsvSource:
    """Loader for the OFAC legacy CSV set."""

    format = "ofac-csv"
    source = "ofac-sdn"

    def __init__(self, allow_truncated_remarks: bool = False) -> None:
        self.allow_truncated_remarks = allow_truncated_remarks

    def load(self, paths: Sequence[Path]) -> LoadedList:
        by_role: dict[str, Path] = {}
        for path in paths:
            by_role[file_role(Path(path))] = Path(path)
        if "primary" not in by_role:
            raise ListFormatError(", ".join(map(str, paths)), "no SDN.CSV (primary file) given")
        companions = _read_companions(by_role)
        result = LoadedList(self.source, files=tuple(p.name for p in by_role.values()))
        primary = by_role["primary"]
        truncated = 0
        for line, fields in legacy_csv.rows(primary, 12):
            truncated += _add_entry(result, primary, line, fields, companions)
        if truncated:
            self._check_truncated(result, primary, truncated, "comments" in by_role)
        return result

    def _check_truncated(self, result: LoadedList, primary: Path, count: int,
                         had_comments: bool) -> None:
        """Refuse, or warn about, remarks cut at the limit whose rest was not loaded."""
        comments = "CONS_COMMENTS.CSV" if primary.stem.lower().startswith("cons") \
            else "SDN_COMMENTS.CSV"
        if not had_comments and not self.allow_truncated_remarks:
            raise ListFormatError(
                str(primary), f"{count} remarks are cut at OFAC's 1,000-character limit and "
                f"continue in {comments}, which was not given: load it with this file (same "
                "release), or pass --allow-truncated-remarks to load without it (addresses "
                "past each cut are then missing)")
        why = "no continuation row in it" if had_comments else "it was not given"
        result.warnings.append(Skipped(
            str(primary), None, f"{count} truncated remarks",
            f"cut at 1,000 characters and not completed from {comments} ({why}); addresses "
            "past each cut are missing from this version"))


def _read_companions(by_role: dict[str, Path]) -> _Companions:
    found = _Companions()
    if "alt" in by_role:
        for line, f in legacy_csv.rows(by_role["alt"], 5):
            if f[3]:
                found.aliases[legacy_csv.ent_num(by_role["alt"], line, f[0])].append(f[3].strip())
    if "add" in by_role:
        for line, f in legacy_csv.rows(by_role["add"], 6):
            if f[4]:
                num = legacy_csv.ent_num(by_role["add"], line, f[0])
                found.countries[num].append(f[4].strip())
    if "comments" in by_role:
        for line, f in legacy_csv.rows(by_role["comments"], 2):
            num = legacy_csv.ent_num(by_role["comments"], line, f[0])
            found.overflow[num] = found.overflow.get(num, "") + (f[1] or "")
    return found


def _add_entry(
    result: LoadedList, path: Path, line: int, f: list[str | None], comp: _Companions
) -> bool:
    """Add one primary row; True when its remark is cut and has no continuation."""
    num = legacy_csv.ent_num(path, line, f[0])
    name = (f[1] or "").strip()
    if not name:
        raise ListFormatError(str(path), "SDN_Name is empty", line)
    programs = legacy_csv.programs(f[3])
    text, cut = ofac_remarks.join_remarks(f[11] or "", comp.overflow.get(num))
    truncated = cut is not None and num not in comp.overflow
    if truncated:
        result.skipped.append(Skipped(str(path), line, name, "remarks cut at 1,000 characters, "
                                      "the rest not loaded (no SDN_COMMENTS.CSV row)"))
    found, rejected = ofac_remarks.addresses(text, cut)
    for item in found:
        result.tags.append(
            Tag(address=item.address.address, chain=item.address.chain_family,
                source=result.source, kind=TagKind.SANCTION, entity=name,
                category="sanctioned", programs=programs, list_id=str(num),
                dates_from="version", asset=item.ticker)
        )
    for bad in rejected:
        result.skipped.append(Skipped(str(path), line, f"{bad.ticker} {bad.token}", bad.reason))
    result.names.append(
        ListedParty(list_id=str(num), source=result.source, name=name,
                    party_type=_PARTY_TYPES.get((f[2] or "").strip().lower(), "entity"),
                    aliases=tuple(dict.fromkeys(comp.aliases.get(num, ()))),
                    dob=ofac_remarks.dates_of_birth(text),
                    nationality=ofac_remarks.nationalities(text),
                    countries=tuple(dict.fromkeys(comp.countries.get(num, ()))),
                    programs=programs)
    )
    return truncated
