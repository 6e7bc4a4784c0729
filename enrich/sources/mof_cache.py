"""A parsed MOF edition kept on disk, so that a fresh data dir does not pay openpyxl again.

Reading MOF's workbook costs ~2–3 s (openpyxl parsing its shared strings), and every fresh
data dir seeds it: ``txmon demo`` builds one per run. The parsed entries are stored as JSON
in ``$TXMON_CACHE_DIR``, else ``$XDG_CACHE_HOME/txmon/lists`` (``~/.cache/txmon/lists``),
named by the SHA-256 of the file (and its extension) and of the parser's own source files:
a different edition or a changed parser can never be served a stale parse. Any failure to
read or write the cache falls back to parsing; the cache is an optimisation only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from enrich.sources.base import Skipped

_PARSER = ("mof.py", "mof_cells.py", "mof_table.py", "mof_cache.py")
_DATES = ("designated", "removed")


def cache_dir() -> Path:
    explicit = os.environ.get("TXMON_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "txmon" / "lists"


def key(path: Path) -> str:
    """SHA-256 over the file's extension (it picks the reader) and bytes and the parser's
    source: the cache entry's name."""
    digest = hashlib.sha256(path.suffix.lower().encode() + b"\0")
    digest.update(path.read_bytes())
    here = Path(__file__).parent
    for name in _PARSER:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def load(path: Path) -> dict[str, Any] | None:
    """The cached parse of ``path`` as plain data, or None (absent, unreadable, stale)."""
    try:
        return json.loads((cache_dir() / f"mof-{key(path)}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(path: Path, data: dict[str, Any]) -> None:
    """Write the parse atomically; a read-only or missing home just means no cache."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"mof-{key(path)}.json"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".mof-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
        Path(tmp).replace(target)
    except OSError:
        return


def entry_to_wire(entry: Any) -> dict[str, Any]:
    out = dataclasses.asdict(entry)
    for name in _DATES:
        out[name] = out[name].isoformat() if out[name] else None
    out["amended"] = [d.isoformat() for d in entry.amended]
    return out


def entry_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments of a ``MofEntry`` from its wire form."""
    out: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    for name in _DATES:
        out[name] = dt.date.fromisoformat(out[name]) if out[name] else None
    out["amended"] = tuple(dt.date.fromisoformat(d) for d in data["amended"])
    return out


def skipped_to_wire(items: tuple[Skipped, ...]) -> list[list[Any]]:
    return [[s.path, s.line, s.text, s.reason] for s in items]


def skipped_from_wire(items: list[list[Any]]) -> tuple[Skipped, ...]:
    return tuple(Skipped(*item) for item in items)
