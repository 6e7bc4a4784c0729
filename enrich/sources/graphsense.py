"""GraphSense TagPacks (YAML) → entity tags.

A pack has header fields that every tag inherits unless it sets its own (``label``,
``category``, ``abuse``, ``confidence``, ``currency``, ``actor``, ``source``). Tags are
third-party attribution, so they are ``entity`` tags, except where the pack marks the
abuse as ``sanction``. ``lastmod`` is when the pack was edited, not when anyone was
designated, so it never becomes ``listed_at``. A tag whose address fails its checksum is
reported in ``LoadedList.skipped`` (third-party data has a few); a pack that is not a
TagPack is rejected whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from enrich.sources.base import LoadedList, Skipped
from txmon.addresses import normalize
from txmon.errors import InvalidAddress, ListFormatError
from txmon.models import Tag, TagKind
from txmon.vocabulary import vocabulary

_INHERITED = ("label", "category", "abuse", "confidence", "currency", "actor", "source")
# Our ordinal reading of GraphSense's named confidence levels (0-100, higher = stronger).
CONFIDENCE = {"ownership": 100, "authority_data": 90, "ledger_immanent": 85, "service_data": 80,
              "forensic": 70, "manual_ledger_analysis": 60, "web_crawl": 40,
              "untrusted_transaction": 20}


class GraphsenseSource:
    """Loader for GraphSense TagPack files."""

    format = "graphsense"
    source = "graphsense"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            pack = _read(path)
            header = {k: pack.get(k) for k in _INHERITED}
            title = str(pack.get("title") or path.stem)
            for n, item in enumerate(pack["tags"], 1):
                if not isinstance(item, dict) or not item.get("address"):
                    raise ListFormatError(str(path), f"tag {n}: no address")
                fields = {k: item.get(k, header[k]) for k in _INHERITED}
                try:
                    result.tags.append(_tag(path, str(item["address"]), fields, title))
                except InvalidAddress as exc:
                    result.skipped.append(Skipped(str(path), None, str(item["address"]), str(exc)))
        return result


def _read(path: Path) -> dict[str, Any]:
    try:
        pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ListFormatError(str(path), f"not YAML: {exc}",
                              mark.line + 1 if mark else None) from exc
    if not isinstance(pack, dict) or not isinstance(pack.get("tags"), list):
        raise ListFormatError(str(path), "a TagPack needs a 'tags' list")
    return pack


def _category(fields: dict[str, Any]) -> str:
    """GraphSense (INTERPOL DW-VA taxonomy) term → our category, through the vocabulary
    (seeds/vocabulary.yaml), so a rule written once (`category: [mixer, hack, …]`)
    matches tags from every source."""
    term = str(fields["abuse"] or fields["category"] or "unknown")
    return vocabulary().category_of("graphsense", term)


def _tag(path: Path, raw: str, fields: dict[str, Any], title: str) -> Tag:
    normal = normalize(raw)
    abuse = fields["abuse"]
    return Tag(
        address=normal.address, chain=normal.chain_family, source="graphsense",
        kind=TagKind.SANCTION if abuse == "sanction" else TagKind.ENTITY,
        entity=str(fields["label"] or fields["actor"] or title),
        category=_category(fields),
        list_id=f"{path.stem}:{fields['actor']}" if fields["actor"] else path.stem,
        confidence=CONFIDENCE.get(str(fields["confidence"])),
        asset=str(fields["currency"]) if fields["currency"] else None)
