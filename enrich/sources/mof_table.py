"""Japan MOF's list as tables: one per regime, columns found by name, from XLSX or CSV.

The Excel edition has one sheet per regime (``29.ロシア連邦(個人)``), title and note rows,
then a header row whose first two cells are ``告示日付`` and ``告示番号``; the columns after
them differ per sheet, so they are looked up by their (NFKC, space-free) header text.
Lifted regimes (``【解除】``) hold only a note ``【2015年12月18日告示廃止】``. The CSV edition
carries the same columns under one header row (UTF-8 with BOM); its regime is a ``区分``
column when present, else the file name (``29.ロシア連邦(個人).csv``).

A regime sheet without that header row, or a header without a name column, means MOF
changed the layout: it fails loudly with sheet and row rather than loading nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from enrich.sources.mof_cells import nfkc
from txmon.errors import ListFormatError

DATE_HEADER, NUMBER_HEADER = "告示日付", "告示番号"
REGIME_COLUMN = "区分"
INDEX_SHEET = "一覧"
LIFTED_MARK = "【解除】"
_LIFTED_ON = re.compile(r"【(\d{4})年(\d{1,2})月(\d{1,2})日告示廃止】")
_TITLE = re.compile(r"^(\d+)\.\s*(.*)$")

# Header text (NFKC, no spaces) → field. Columns not named here are kept as "extra".
COLUMNS: dict[str, str] = {
    "告示日付": "dates", "告示番号": "notice", "日本語表記": "name_ja", "英語表記": "name_en",
    "別名": "aliases", "別称": "aliases", "別称・別名": "aliases", "別名・別称": "aliases",
    "別称・旧称": "aliases", "確定可能な別名": "aliases",
    "確定に十分でない別名": "weak_aliases",
    "旧称": "former_names", "旧称・以前の呼称": "former_names", "以前の別名": "former_names",
    "過去の別名": "former_names",
    "称号": "titles", "肩書": "titles", "肩書等": "titles", "役職": "titles",
    "生年月日": "dob", "生年月日・出生地": "dob_place",
    "出生地": "birthplace", "出生地・出身地": "birthplace",
    "国籍": "nationality", "旅券番号": "passports",
    "ID番号": "id_numbers", "身分証番号": "id_numbers", "身分登録番号": "id_numbers",
    "住所": "addresses", "住所・所在地": "addresses", "住所等": "addresses",
    "所在地": "addresses", "所在地・住所登録された事務所の住所": "addresses",
    "活動地域・住所": "addresses",
    "国連制裁員会による指定日": "un_listed", "国連制裁委員会による指定日": "un_listed",
    "リスト掲載日": "un_listed", "国連参照番号": "un_reference",
    "その他の情報": "other", "詳細": "other",
}
NAME_FIELDS = ("name_ja", "name_en")


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based row number and its cells by field (raw values)."""

    number: int
    cells: dict[str, object]


@dataclass(slots=True)
class Regime:
    """One regime table (a sheet of the workbook, or the rows of one CSV regime)."""

    title: str  # as published, NFKC: "29.ロシア連邦(個人)"
    number: str  # MOF's regime number: "29"
    program: str  # the title without number and 【解除】: "ロシア連邦(個人)"
    header_row: int | None = None
    rows: list[Row] = field(default_factory=list)
    lifted: dt.date | None = None
    unknown_columns: tuple[str, ...] = ()


def regime_of(title: str) -> Regime:
    """Number and program from a sheet title such as ``29.ロシア連邦(個人)``."""
    text = nfkc(title)
    found = _TITLE.match(text)
    number, rest = (found.group(1), found.group(2)) if found else ("", text)
    return Regime(text, number, rest.replace(LIFTED_MARK, "").strip())


def read(path: Path) -> list[Regime]:
    """Every regime table of ``path`` (``.xlsx`` or ``.csv``, chosen by extension)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise ListFormatError(str(path), "not a MOF list file: expected .xlsx or .csv")


def _read_xlsx(path: Path) -> list[Regime]:
    # Imported here: openpyxl costs ~90 ms, and every txmon command imports the loaders.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with warnings.catch_warnings():
        # MOF's workbook defines a print area "#N/A"; openpyxl says it cannot set it.
        warnings.filterwarnings("ignore", message="Print area cannot be set",
                                category=UserWarning, module="openpyxl")
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise ListFormatError(str(path), f"not a readable XLSX workbook: {exc}") from exc
    try:
        out = []
        for sheet in book.worksheets:
            if nfkc(sheet.title) == INDEX_SHEET:
                continue
            rows: Iterator[tuple[int, list[object]]] = (
                (n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), 1))
            out.append(_regime(path, sheet.title, rows))
        return out
    finally:
        book.close()


def _regime(path: Path, title: str, rows: Iterator[tuple[int, list[object]]]) -> Regime:
    regime = regime_of(title)
    where = f"{path.name} [{regime.title}]"
    header: list[str | None] | None = None
    for number, cells in rows:
        if header is None:
            texts = [nfkc(c) for c in cells]
            if regime.lifted is None:
                regime.lifted = _lifted_on(texts)
            if len(texts) > 1 and _bare(texts[0]) == DATE_HEADER and \
                    _bare(texts[1]) == NUMBER_HEADER:
                header = _header(where, number, texts, regime)
            continue
        if any(c is not None and nfkc(c) for c in cells):
            regime.rows.append(Row(number, _by_field(header, cells)))
    if header is None and not (LIFTED_MARK in regime.title and regime.lifted):
        raise ListFormatError(where, f"no header row starting {DATE_HEADER!r}, "
                              f"{NUMBER_HEADER!r}: the layout changed")
    if LIFTED_MARK not in regime.title:
        regime.lifted = None  # a note row of a live regime is not a lifting
    return regime


def _by_field(header: list[str | None], cells: list[object]) -> dict[str, object]:
    """Cells by field; two columns of one field (称号 and 役職: titles) are joined."""
    out: dict[str, object] = {}
    for field_name, value in zip(header, cells, strict=False):
        if field_name is None or value is None:
            continue
        held = out.get(field_name)
        out[field_name] = value if held is None else f"{nfkc(held)}\n{nfkc(value)}"
    return out


def _header(where: str, number: int, texts: list[str], regime: Regime) -> list[str | None]:
    fields: list[str | None] = []
    unknown = []
    for text in texts:
        bare = _bare(text)
        fields.append(COLUMNS.get(bare))
        if bare and bare not in COLUMNS:
            unknown.append(bare)
    if not any(f in NAME_FIELDS for f in fields):
        raise ListFormatError(where, f"header has no {' or '.join(('日本語表記', '英語表記'))} "
                              "column: the layout changed", number)
    regime.header_row = number
    regime.unknown_columns = tuple(unknown)
    return fields


def _lifted_on(texts: list[str]) -> dt.date | None:
    for text in texts:
        found = _LIFTED_ON.search(text)
        if found:
            return dt.date(*(int(g) for g in found.groups()))
    return None


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _read_csv(path: Path) -> list[Regime]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(str(path), f"not UTF-8 text: {exc.reason}") from exc
    records = list(csv.reader(text.splitlines(keepends=True)))
    if not records:
        raise ListFormatError(str(path), "empty file")
    head = [_bare(nfkc(h)) for h in records[0]]
    regime_col = head.index(REGIME_COLUMN) if REGIME_COLUMN in head else None
    by_title: dict[str, list[tuple[int, list[object]]]] = {}
    for number, fields in enumerate(records[1:], 2):
        title = fields[regime_col] if regime_col is not None and regime_col < len(fields) \
            else path.stem
        body = [f for i, f in enumerate(fields) if i != regime_col]
        by_title.setdefault(title or path.stem, []).append((number, list(body)))
    header = [h for i, h in enumerate(records[0]) if i != regime_col]
    out = []
    for title, rows in by_title.items():
        out.append(_regime(path, title, iter([(1, list(header)), *rows])))
    if not out:  # a header and no rows: still check the layout
        out.append(_regime(path, path.stem, iter([(1, list(header))])))
    return out
