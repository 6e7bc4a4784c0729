"""Etherscan-style address label JSON → entity tags.

Three shapes exist in the wild and all are read:

* ``{"0x…": {"name": "…", "labels": ["binance", …]}}`` (combined label files);
* ``{"0x…": "name"}`` — the label is the file name (``heist.json``);
* ``[{"address": "0x…", "nameTag": "…"}]`` — the label is the parent folder
  (``ofac-sanctions-lists/accounts.json``).

Addresses repeat under different case with different labels: keys are normalised and
labels merged. Labels are a website's, not an authority's, so every tag is ``entity``.
An entry whose address fails its checksum (real files have a few) is reported in
``LoadedList.skipped`` rather than rejecting thousands of good labels; a file that is
not JSON of one of these shapes is rejected whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from enrich.sources import jsonfile
from enrich.sources.base import LoadedList, Skipped
from txmon.addresses import normalize
from txmon.errors import InvalidAddress, ListFormatError
from txmon.models import Tag, TagKind
from txmon.vocabulary import vocabulary

SOURCE = "etherscan-labels"

def category(label: str) -> str:
    """Our category for an Etherscan label slug (the map is in seeds/vocabulary.yaml)."""
    words = vocabulary()
    if label in words.exchanges.get(SOURCE, ()):
        return "exchange"
    if label.endswith("-hack") or label.endswith("-exploit"):
        return "hack"
    return words.category_of(SOURCE, label)


class LabelsJsonSource:
    """Loader for Etherscan-style label files."""

    format = "labels-json"
    source = SOURCE

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            data = jsonfile.read(path)
            for raw, name, label in _entries(path, data):
                try:
                    normal = normalize(raw)
                except InvalidAddress as exc:
                    result.skipped.append(Skipped(str(path), None, raw, str(exc)))
                    continue
                result.tags.append(Tag(
                    address=normal.address, chain=normal.chain_family, source=self.source,
                    kind=TagKind.ENTITY, entity=name or label, category=category(label),
                    list_id=label))
        return result


def _entries(path: Path, data: Any) -> Iterator[tuple[str, str, str]]:
    if isinstance(data, list):
        for item in data:
            if not isinstance(item, dict) or "address" not in item:
                raise ListFormatError(str(path), "array items need an 'address'")
            yield str(item["address"]), str(item.get("nameTag") or ""), path.parent.name
    elif isinstance(data, dict):
        for address, value in data.items():
            if isinstance(value, dict):
                for label in value.get("labels") or [path.stem]:
                    yield address, str(value.get("name") or ""), str(label)
            else:
                yield address, str(value or ""), path.stem
    else:
        raise ListFormatError(str(path), "expected a JSON object or array")
