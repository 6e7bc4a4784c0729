"""Regenerate ``shisantouketsu20260305_excerpt.csv`` from the shipped XLSX (run from the
repository root): MOF's CSV layout — one header row, UTF-8 with BOM, dates as text — over
real rows of five regimes, with the regime in a ``区分`` column."""

from __future__ import annotations

import csv
import datetime as dt
import warnings
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

XLSX = Path("seeds/mof/shisantouketsu20260305.xlsx")
OUT = Path("tests/data/mof/shisantouketsu20260305_excerpt.csv")
ROWS = {"29.": [3, 4], "16.": [73], "17.": [83, 84], "2.": [3, 4], "3.": [4]}


def _text(column: str, value: object) -> str:
    if value is None:
        return ""
    if column == "生年月日" and isinstance(value, int):
        value = from_excel(value)  # a serial left without date format in the XLSX
    if isinstance(value, dt.datetime):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value)


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(XLSX, read_only=True)
    chosen = []
    for sheet in book.worksheets:
        prefix = next((p for p in ROWS if sheet.title.startswith(p)), None)
        if prefix is None:
            continue
        rows = list(sheet.iter_rows(values_only=True))
        header = [h for h in next(r for r in rows if r[0] == "告示日付") if h]
        chosen += [(sheet.title, header, rows[n - 1][: len(header)]) for n in ROWS[prefix]]
    columns: list[str] = []
    for _, header, _ in chosen:
        columns += [c for c in header if c not in columns]
    with OUT.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["区分", *columns])
        for title, header, row in chosen:
            cells = dict(zip(header, row, strict=True))
            writer.writerow([title, *(_text(c, cells.get(c)) for c in columns)])


if __name__ == "__main__":
    main()
