"""OFAC per-asset address lists (0xB10C's ``sanctioned_addresses_<ASSET>.txt|json``).

Built nightly from OFAC's ``sdn_advanced.xml``, these are complete (no 1,000-character
cut) but name only the asset ticker: entity, list id and programs are inherited from
the previous version of the ``ofac-sdn`` source (see :mod:`enrich.snapshot`). The
ticker is kept as ``Tag.asset``; the chain is decided from each address itself. A line
that is not a valid address rejects the whole file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from enrich.sources.base import LoadedList
from txmon.addresses import normalize
from txmon.errors import InvalidAddress, ListFormatError
from txmon.models import Tag, TagKind

_NAME = re.compile(r"sanctioned_addresses_([A-Za-z0-9]+)$")


def asset_of(path: Path) -> str:
    """The OFAC ticker in the file name (``sanctioned_addresses_XBT.txt`` → ``XBT``)."""
    match = _NAME.search(path.stem)
    if match is None:
        raise ListFormatError(str(path), "name must be sanctioned_addresses_<ASSET>.txt|json")
    return match.group(1).upper()


def entries(path: Path) -> list[tuple[int, str]]:
    """``(line, address)`` pairs from a .txt (one per line) or .json (array) file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ListFormatError(str(path), f"not JSON: {exc.msg}", exc.lineno) from exc
        if not isinstance(data, list) or not all(isinstance(a, str) for a in data):
            raise ListFormatError(str(path), "expected a JSON array of strings")
        return [(n + 2, a) for n, a in enumerate(data)]  # line 1 holds the "["
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


class OfacAddressListSource:
    """Loader for one or more per-asset list files."""

    format = "ofac-address-list"
    source = "ofac-sdn"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            asset = asset_of(path)
            for line, raw in entries(path):
                try:
                    normal = normalize(raw)
                except InvalidAddress as exc:
                    raise ListFormatError(str(path), str(exc), line) from None
                result.tags.append(
                    Tag(address=normal.address, chain=normal.chain_family, source=self.source,
                        kind=TagKind.SANCTION, entity="", category="sanctioned",
                        dates_from="version", asset=asset))
        return result
