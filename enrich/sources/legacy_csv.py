"""Reading OFAC's legacy delimited files (SDN.CSV, ALT.CSV, ADD.CSV, SDN_COMMENTS.CSV).

The quirks live here so that the loaders see clean rows: no header, CRLF, a last line
holding only Ctrl-Z (0x1A, DOS end of file), ``-0- `` (with its trailing space) for
null, and a fixed column count per file. Anything else is a malformed file and is
rejected whole with its line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from txmon.errors import ListFormatError

NULL = "-0-"
CTRL_Z = "\x1a"


def read_text(path: Path, encoding: str = "cp1252") -> str:
    """The file's text; an undecodable byte is a format error with its line number."""
    data = path.read_bytes()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ListFormatError(str(path), f"not {encoding} text: {exc.reason}", line) from exc


def rows(path: Path, columns: int) -> Iterator[tuple[int, list[str | None]]]:
    """``(line number, fields)`` for each data row; ``-0-`` becomes None."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    for fields in reader:
        if not fields or fields == [CTRL_Z] or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) != columns:
            raise ListFormatError(
                str(path), f"expected {columns} columns, found {len(fields)}", reader.line_num
            )
        yield reader.line_num, [_field(value) for value in fields]


def _field(value: str) -> str | None:
    stripped = value.strip()
    return None if stripped == NULL else value


def ent_num(path: Path, line: int, value: str | None) -> int:
    """The entity number joining the files; a missing or non-numeric one is malformed."""
    try:
        return int(value or "")
    except ValueError:
        raise ListFormatError(str(path), f"ent_num is not a number: {value!r}", line) from None


def programs(value: str | None) -> tuple[str, ...]:
    """Split OFAC's ``A] [B`` program field into ``("A", "B")``."""
    if not value:
        return ()
    return tuple(p.strip(" []") for p in value.split("] [") if p.strip(" []"))
