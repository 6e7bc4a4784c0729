"""Japan Ministry of Finance asset-freeze list (資産凍結等の対象者リスト) → tags and names.

Reads MOF's Excel edition (``shisantouketsuYYYYMMDD.xlsx``, one sheet per regime) or its
CSV edition (same columns, one header row, UTF-8 with BOM), chosen by extension; layout
in :mod:`enrich.sources.mof_table`, cells in :mod:`enrich.sources.mof_cells`.

* Every notice of every regime becomes a :class:`MofEntry` with everything MOF gives
  (Japanese and English names, aliases, former names, titles, DOB, places, nationality,
  passports, notice dates). ``list_id`` is ``<regime number>-<notice number>`` (``29-1``
  is notice 1 of ``29.ロシア連邦(個人)``) because notice numbers restart in every regime;
  the regime is the program.
* Live entries become listed parties (name screening): the Japanese name first, then the
  English name, aliases and former names. MOF's own "aliases not sufficient to identify"
  (``確定に十分でない別名``) are kept on the entry but not screened.
* Crypto-asset addresses (``暗号資産アドレス：``, Lazarus Group and DPRK individuals)
  become sanction tags dated by the notice itself (``dates_from="source"``).
* A deleted notice (``2011.11.18削除``) and a lifted regime (``【解除】``) end, on their own
  date, every tag an earlier version held for them (:attr:`LoadedList.ended_on`).

The edition date is in MOF's file name. Parsing the full edition takes ~2.5 s (openpyxl
reading 21,000 rows); the result is kept per file for the process and on disk by content
(:mod:`enrich.sources.mof_cache`), so that seeding many fresh stores — the test suite,
``txmon demo`` — pays it once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enrich.sources import mof_cache
from enrich.sources import mof_cells as cells
from enrich.sources.base import ListedParty, LoadedList, Skipped
from enrich.sources.mof_table import Regime, Row, read
from txmon.addresses import normalize
from txmon.errors import InvalidAddress
from txmon.models import Tag, TagKind

SOURCE = "jp-mof"
_EDITION = re.compile(r"shisantouketsu(\d{4})(\d{2})(\d{2})")
_PERSON_FIELDS = ("dob", "dob_place", "birthplace", "passports", "nationality")


@dataclass(frozen=True, slots=True)
class MofEntry:
    """One notice of one regime, as MOF publishes it (NFKC-normalised text)."""

    list_id: str
    regime: str
    program: str
    notice: str
    cross_reference: str = ""  # "*186": the same party under notice 186 of another list
    row: int = 0
    party_type: str = "entity"
    name_ja: str = ""
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    dob: tuple[str, ...] = ()
    birthplace: tuple[str, ...] = ()
    nationality: tuple[str, ...] = ()
    passports: tuple[str, ...] = ()
    id_numbers: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    crypto: tuple[str, ...] = ()
    designated: dt.date | None = None
    amended: tuple[dt.date, ...] = ()
    removed: dt.date | None = None
    notes: tuple[str, ...] = ()
    other: str = ""

    @property
    def name(self) -> str:
        return self.name_ja or self.name_en

    @property
    def entity(self) -> str:
        """How a tag names the party: English with the Japanese rendering beside it."""
        if self.name_en and self.name_ja:
            return f"{self.name_en} ({self.name_ja})"
        return self.name


@dataclass(frozen=True, slots=True)
class Edition:
    """One parsed file: its entries, lifted regimes and what was reported."""

    entries: tuple[MofEntry, ...]
    lifted: dict[str, dt.date]  # regime number → date the regime was lifted
    tags: tuple[Tag, ...]
    warnings: tuple[Skipped, ...]
    skipped: tuple[Skipped, ...]


_CACHE: dict[tuple[str, int, int], Edition] = {}


class MofSource:
    """Loader for Japan MOF's asset-freeze list (XLSX or CSV)."""

    format = "mof"
    source = SOURCE

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        removed: dict[str, dt.date] = {}
        lifted: dict[str, dt.date] = {}
        for path in map(Path, paths):
            edition = parse(path)
            result.published = edition_date(path) or result.published
            result.tags.extend(edition.tags)
            result.warnings.extend(edition.warnings)
            result.skipped.extend(edition.skipped)
            lifted.update(edition.lifted)
            for entry in edition.entries:
                if entry.removed is not None:
                    removed[entry.list_id] = entry.removed
                elif entry.name:
                    result.names.append(party(entry))
        result.ended_on = _ended_on(removed, lifted)
        return result


def edition_date(path: Path) -> dt.date | None:
    """The edition date MOF puts in its file names (``shisantouketsu20260305``)."""
    found = _EDITION.search(path.name)
    return dt.date(*(int(g) for g in found.groups())) if found else None


def parse(path: Path) -> Edition:
    """Every entry of one MOF file: kept per path, size and mtime for the process, and
    on disk by content (:mod:`enrich.sources.mof_cache`) across processes."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _CACHE:
        _CACHE.clear()  # one edition in memory at a time
        cached = mof_cache.load(path)
        edition = _from_wire(cached) if cached is not None else None
        if edition is None:
            edition = _parse(path)
            mof_cache.store(path, _to_wire(edition))
        _CACHE[key] = edition
    return _CACHE[key]


def _to_wire(edition: Edition) -> dict[str, object]:
    return {"entries": [mof_cache.entry_to_wire(e) for e in edition.entries],
            "lifted": {k: v.isoformat() for k, v in edition.lifted.items()},
            "warnings": mof_cache.skipped_to_wire(edition.warnings),
            "skipped": mof_cache.skipped_to_wire(edition.skipped)}


def _from_wire(data: dict[str, Any]) -> Edition | None:
    try:
        entries = tuple(MofEntry(**mof_cache.entry_fields(e)) for e in data["entries"])
        return Edition(entries, {k: dt.date.fromisoformat(v) for k, v in data["lifted"].items()},
                       tuple(_tags(entries)), mof_cache.skipped_from_wire(data["warnings"]),
                       mof_cache.skipped_from_wire(data["skipped"]))
    except (KeyError, TypeError, ValueError, InvalidAddress):
        return None  # a cache written by something else: parse instead


def _tags(entries: tuple[MofEntry, ...]) -> list[Tag]:
    return [_tag(e, normalize(a)) for e in entries for a in e.crypto]


def party(entry: MofEntry) -> ListedParty:
    """The listed party name screening sees for a live entry."""
    names = (entry.name_ja, entry.name_en, *entry.aliases, *entry.former_names)
    aliases = tuple(dict.fromkeys(n for n in names if n and n != entry.name))
    return ListedParty(list_id=entry.list_id, source=SOURCE, name=entry.name,
                       party_type=entry.party_type, aliases=aliases, dob=entry.dob,
                       nationality=entry.nationality, countries=entry.addresses,
                       programs=(entry.program,), listed_on=entry.designated)


def _parse(path: Path) -> Edition:
    entries: list[MofEntry] = []
    warnings: list[Skipped] = []
    skipped: list[Skipped] = []
    lifted: dict[str, dt.date] = {}
    for regime in read(path):
        where = f"{path.name}:{regime.title}"
        if regime.lifted is not None:
            lifted[regime.number] = regime.lifted
        if regime.unknown_columns:
            warnings.append(Skipped(where, regime.header_row, ", ".join(regime.unknown_columns),
                                    "columns not known to the loader: kept out"))
        for row in _joined(regime.rows):
            entry = _entry(where, regime, row, warnings)
            if entry is None:
                continue
            entries.append(entry)
            for token, reason in cells.crypto_addresses(entry.other).rejected:
                skipped.append(Skipped(where, row.number, token, reason))
    done = tuple(entries)
    return Edition(done, lifted, tuple(_tags(done)), tuple(warnings), tuple(skipped))


def _joined(rows: list[Row]) -> list[Row]:
    """Rows with their continuation rows (no date, no number: more free text) folded in."""
    out: list[Row] = []
    for row in rows:
        if out and not cells.nfkc(row.cells.get("dates")) and \
                not cells.nfkc(row.cells.get("notice")):
            held = out[-1].cells
            for name, value in row.cells.items():
                text = cells.nfkc(value)
                if text:
                    held[name] = "\n".join(t for t in (cells.nfkc(held.get(name)), text) if t)
            continue
        out.append(Row(row.number, dict(row.cells)))
    return out


def _entry(where: str, regime: Regime, row: Row, warnings: list[Skipped]) -> MofEntry | None:
    get = row.cells.get
    number = cells.notice_number(get("notice"))
    if number is None:
        warnings.append(Skipped(where, row.number, cells.nfkc(get("notice")),
                                "unreadable notice number: row not loaded"))
        return None
    dates = cells.notice_dates(get("dates"))
    for problem in dates.problems:
        warnings.append(Skipped(where, row.number, cells.nfkc(get("dates")), problem))
    name_ja, name_en = cells.first_line(get("name_ja")), cells.first_line(get("name_en"))
    if not (name_ja or name_en) and dates.removed is None:
        warnings.append(Skipped(where, row.number, f"{cells.nfkc(get('dates'))} {number.number}",
                                "notice without a name and not deleted: not loaded"))
        return None
    ref = f"{number.ref_mark}{number.ref_number}"
    has_person = any(cells.nfkc(get(f)) not in ("", cells.UNKNOWN) for f in _PERSON_FIELDS)
    return MofEntry(
        list_id=f"{regime.number or regime.program}-{number.number}", regime=regime.title,
        program=regime.program, notice=cells.nfkc(get("notice")), cross_reference=ref,
        row=row.number, party_type=_party_type(regime.program, has_person),
        name_ja=name_ja, name_en=name_en,
        aliases=_others(cells.names(get("name_ja")) + cells.names(get("name_en"))
                        + cells.names(get("aliases")), name_ja, name_en),
        weak_aliases=cells.names(get("weak_aliases")),
        former_names=cells.names(get("former_names")),
        titles=cells.values(get("titles")),
        dob=_dob(get("dob"), get("dob_place")),
        birthplace=cells.values(get("birthplace")) or cells.values(get("dob_place")),
        nationality=cells.values(get("nationality")), passports=cells.values(get("passports")),
        id_numbers=cells.values(get("id_numbers")), addresses=cells.values(get("addresses")),
        crypto=tuple(a.address for a in cells.crypto_addresses(cells.nfkc(get("other"))).found),
        designated=dates.designated, amended=dates.amended, removed=dates.removed,
        notes=dates.notes, other=cells.nfkc(get("other")))


def _others(found: tuple[str, ...], *own: str) -> tuple[str, ...]:
    """Aliases, without the entry's own two names (the name cells repeat them)."""
    return tuple(n for n in dict.fromkeys(found) if n not in own)


def _dob(dob: object, dob_place: object) -> tuple[str, ...]:
    if dob is not None:
        return cells.dates_of_birth(dob)
    first = cells.nfkc(dob_place).splitlines()  # "1941年8月20日…生\nBorn at …": Japanese line
    return cells.dates_of_birth(first[0]) if first else ()


def _party_type(program: str, has_person_facts: bool) -> str:
    if "個人" in program:
        return "individual"
    if "団体" in program or "銀行" in program:
        return "entity"
    return "individual" if has_person_facts else "entity"  # mixed regimes (タリバーン関係者等)


def _tag(entry: MofEntry, address: cells.NormalizedAddress) -> Tag:
    return Tag(address=address.address, chain=address.chain_family, source=SOURCE,
               kind=TagKind.SANCTION, entity=entry.entity, category="sanctioned",
               programs=(entry.program,), list_id=entry.list_id, listed_at=entry.designated,
               delisted_at=entry.removed, dates_from="source")


def _ended_on(removed: dict[str, dt.date],
              lifted: dict[str, dt.date]) -> Callable[[Tag], dt.date | None]:
    """For a tag an earlier version held: the date its notice was deleted or its regime
    lifted, if this edition says so (else None: the version date applies)."""

    def ended_on(tag: Tag) -> dt.date | None:
        if tag.list_id is None:
            return None
        if tag.list_id in removed:
            return removed[tag.list_id]
        return lifted.get(tag.list_id.partition("-")[0])

    return ended_on

