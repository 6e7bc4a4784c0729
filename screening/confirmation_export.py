"""Confirmation records as a regulator reads them: one flat CSV row per record.

The NDJSON export is the records exactly as stored (their hashes verify); the CSV is for
a spreadsheet and a person, so nested fields are flattened: the subject checked in named
columns, the list versions as ``source=version`` pairs, the reasons as
``outcome code: detail`` lines, and the record's own hash so a row can be matched
against the verified NDJSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

COLUMNS = ("seq", "id", "at", "requested_by", "kind", "decision", "name", "dob", "country",
           "address", "chain", "customer", "transfer", "names", "value_jpy",
           "list_versions", "reasons", "hash", "prev_hash")
_CHECKED = ("name", "dob", "country", "address", "chain", "customer", "transfer", "names",
            "value_jpy")


def row(entry: dict[str, Any]) -> dict[str, str]:
    """One record as CSV cells (empty for what was not part of this check)."""
    checked = entry.get("checked") or {}
    cells = {key: _cell(checked.get(key)) for key in _CHECKED}
    versions = entry.get("list_versions") or {}
    reasons = "\n".join(f"{r['outcome']} {r['code']}: {r['detail']}"
                        for r in entry.get("reasons") or [])
    return {"seq": str(entry.get("seq", "")), "id": str(entry.get("id", "")),
            "at": str(entry.get("at", "")),
            "requested_by": str(entry.get("requested_by") or ""),
            "kind": str(entry.get("kind", "")), "decision": str(entry.get("decision", "")),
            **cells, "list_versions": "; ".join(f"{s}={v}" for s, v in sorted(versions.items())),
            "reasons": reasons, "hash": str(entry.get("hash", "")),
            "prev_hash": str(entry.get("prev_hash", ""))}


def csv_lines(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header, then one CSV record per entry (RFC 4180 quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    yield _take(buffer)
    for entry in entries:
        writer.writerow(row(entry))
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
