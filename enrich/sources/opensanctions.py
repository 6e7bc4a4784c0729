"""OpenSanctions FollowTheMoney entities (line-delimited JSON) → names and wallet tags.

``Person``/``Organization``/``Company``/``LegalEntity`` become listed parties;
``CryptoWallet`` entities become tags of their ``holder``. Where a ``Sanction`` entity
of the holder carries ``startDate``/``listingDate``/``endDate`` these are source dates;
``first_seen`` is when OpenSanctions crawled the entity, not a designation, so it is not
used. (Data licence CC BY-NC 4.0: test data only, never shipped in seeds/.)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from enrich.sources.base import ListedParty, LoadedList
from txmon.addresses import normalize
from txmon.errors import InvalidAddress, ListFormatError
from txmon.models import Tag, TagKind

PARTY_SCHEMAS = {"Person": "individual", "Organization": "entity", "Company": "entity",
                 "LegalEntity": "entity", "PublicBody": "entity", "Vessel": "vessel",
                 "Airplane": "aircraft"}


class OpenSanctionsSource:
    """Loader for FtM JSON exports."""

    format = "opensanctions-ftm"
    source = "opensanctions"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        entities: dict[str, dict[str, Any]] = {}
        for path in map(Path, paths):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    entity = _parse(path, n, line)
                    entities[entity["id"]] = entity
        sanctions = _sanctions_by_entity(entities.values())
        for entity in entities.values():
            if entity["schema"] in PARTY_SCHEMAS:
                result.names.append(_party(entity, sanctions.get(entity["id"], [])))
            elif entity["schema"] == "CryptoWallet":
                result.tags.extend(_wallet(entity, entities, sanctions))
        return result


def _parse(path: Path, n: int, line: str) -> dict[str, Any]:
    try:
        entity = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ListFormatError(str(path), f"not JSON: {exc.msg}", n) from exc
    if not isinstance(entity, dict) or not entity.get("id") or not entity.get("schema"):
        raise ListFormatError(str(path), "an entity needs 'id' and 'schema'", n)
    entity.setdefault("properties", {})
    return entity


def _prop(entity: dict[str, Any], name: str) -> list[str]:
    return [str(v) for v in entity["properties"].get(name) or []]


def _sanctions_by_entity(entities: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for entity in entities:
        if entity["schema"] == "Sanction":
            for target in _prop(entity, "entity"):
                out.setdefault(target, []).append(entity)
    return out


def _party(entity: dict[str, Any], sanctions: list[dict[str, Any]]) -> ListedParty:
    names = _prop(entity, "name")
    caption = str(entity.get("caption") or (names[0] if names else entity["id"]))
    return ListedParty(
        list_id=entity["id"], source="opensanctions", name=caption,
        party_type=PARTY_SCHEMAS[entity["schema"]],
        aliases=tuple(dict.fromkeys(n for n in names + _prop(entity, "alias") if n != caption)),
        dob=tuple(_prop(entity, "birthDate")),
        nationality=tuple(_prop(entity, "nationality") + _prop(entity, "citizenship")),
        countries=tuple(_prop(entity, "country")),
        programs=tuple(p for s in sanctions for p in _prop(s, "program")),
        listed_on=_first_date(d for s in sanctions for d in _dates(s, "listingDate", "startDate")))


def _wallet(wallet: dict[str, Any], entities: dict[str, dict[str, Any]],
            sanctions: dict[str, list[dict[str, Any]]]) -> list[Tag]:
    tags = []
    topics = set(wallet.get("properties", {}).get("topics") or [])
    for raw in _prop(wallet, "publicKey"):
        try:
            normal = normalize(raw)
        except InvalidAddress:
            continue  # one bad key of one wallet: not a reason to drop the export
        for holder_id in _prop(wallet, "holder") or [""]:
            holder = entities.get(holder_id, {})
            held = sanctions.get(holder_id, [])
            topics |= set(holder.get("properties", {}).get("topics") or [])
            listed = _first_date(d for s in held for d in _dates(s, "listingDate", "startDate"))
            ended = _first_date(d for s in held for d in _dates(s, "endDate"))
            tags.append(Tag(
                address=normal.address, chain=normal.chain_family, source="opensanctions",
                kind=TagKind.SANCTION if "sanction" in topics else TagKind.ENTITY,
                entity=str(holder.get("caption") or wallet.get("caption") or ""),
                category="sanctioned" if "sanction" in topics else "listed",
                programs=tuple(p for s in held for p in _prop(s, "program")),
                list_id=holder_id or wallet["id"], listed_at=listed, delisted_at=ended,
                dates_from="source" if listed or ended else "version",
                asset=next(iter(_prop(wallet, "currency")), None)))
    return tags


def _dates(entity: dict[str, Any], *names: str) -> list[str]:
    return [d for n in names for d in _prop(entity, n)]


def _first_date(values: Any) -> dt.date | None:
    parsed = []
    for value in values:
        try:
            parsed.append(dt.date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return min(parsed, default=None)
