"""Build a version's per-address records from a loaded list and the previous version.

Each version is a complete snapshot of what the source has ever said: addresses in the
published list (``in_list``) and addresses it used to list, with the interval each tag
was in force. Dates rest on the source when it carries them; otherwise on versions: a
sanction tag is listed from the publication date of the first version that contained it,
and delisted at the publication date of the first version that no longer does (both
marked ``dates_from="version"``). The cited override file refines these at read time.

An address-only list (OFAC per-asset lists name no entity) inherits entity, list id and
programs from the previous version of the same source, where that version named them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from enrich.tagversions import Delta
from txmon.models import Tag, TagKind

TagKey = tuple[str, str | None, str]
EndedOn = Callable[[Tag], dt.date | None]


@dataclass(frozen=True, slots=True)
class Record:
    """Everything a version knows about one address."""

    in_list: bool
    tags: tuple[Tag, ...]


def tag_key(tag: Tag) -> TagKey:
    """Identity of a designation/label across versions (not its dates or asset)."""
    return (tag.kind.value, tag.list_id, tag.entity)


def merge_duplicates(tags: Iterable[Tag]) -> dict[str, list[Tag]]:
    """Group by address; one tag per identity, assets joined (``ARB,BSC,ETH``)."""
    grouped: dict[str, dict[TagKey, Tag]] = defaultdict(dict)
    for tag in tags:
        seen = grouped[tag.address].get(tag_key(tag))
        if seen is not None and tag.asset and seen.asset != tag.asset:
            assets = sorted({*(seen.asset or "").split(","), tag.asset} - {""})
            tag = dataclasses.replace(seen, asset=",".join(assets))
        elif seen is not None:
            continue
        grouped[tag.address][tag_key(tag)] = tag
    return {address: list(by_key.values()) for address, by_key in grouped.items()}


def build(
    tags: Iterable[Tag], published: dt.date, previous: dict[str, Record],
    ended_on: EndedOn | None = None,
) -> dict[str, Record]:
    """Records of the new version, given the previous version's records.

    ``ended_on`` gives, for a tag that leaves the list, the date the list itself says it
    ended (MOF's deleted notices); otherwise it ends at ``published``.
    """
    records: dict[str, Record] = {}
    for address, new_tags in merge_duplicates(tags).items():
        old = previous.get(address)
        old_tags = old.tags if old is not None else ()
        new_tags = _attribute(new_tags, old_tags)
        records[address] = Record(True, _dated(new_tags, old_tags, published, ended_on))
    for address, old in previous.items():
        if address not in records:
            records[address] = Record(False, tuple(_close(t, published, ended_on)
                                                   for t in old.tags))
    return records


def delta(
    source: str, version: str, prev_version: str | None, published: dt.date,
    new: dict[str, Record], old: dict[str, Record],
) -> Delta:
    """Addresses added to / removed from the published list, and those whose tags changed."""
    added = sorted(a for a, r in new.items() if r.in_list and not _listed(old.get(a)))
    removed = sorted(a for a, r in old.items() if r.in_list and not _listed(new.get(a)))
    changed = sorted(
        a for a, r in new.items()
        if r.in_list and _listed(old.get(a)) and _identities(r) != _identities(old[a])
    )
    return Delta(source, version, prev_version, published, tuple(added), tuple(removed),
                 tuple(changed))


def _listed(record: Record | None) -> bool:
    return record is not None and record.in_list


def _identities(record: Record) -> set[tuple[TagKey, tuple[str, ...]]]:
    return {(tag_key(t), t.programs) for t in record.tags if t.delisted_at is None}


def _attribute(new_tags: list[Tag], old_tags: tuple[Tag, ...]) -> list[Tag]:
    """Give anonymous tags (no entity, no list id) the identity the last version had."""
    named = [t for t in old_tags if t.entity and t.delisted_at is None]
    out: list[Tag] = []
    for tag in new_tags:
        if tag.entity or tag.list_id or not named:
            out.append(tag)
            continue
        out.extend(dataclasses.replace(tag, entity=n.entity, list_id=n.list_id,
                                       programs=n.programs, category=n.category) for n in named)
    return list(merge_duplicates(out).get(new_tags[0].address, out)) if out else out


def _dated(new_tags: list[Tag], old_tags: tuple[Tag, ...], published: dt.date,
           ended_on: EndedOn | None = None) -> tuple[Tag, ...]:
    """New tags with version-basis dates, plus closed intervals of dropped identities."""
    open_old = {tag_key(t): t for t in old_tags if t.delisted_at is None}
    out: list[Tag] = []
    for tag in new_tags:
        previous = open_old.pop(tag_key(tag), None)
        if tag.dates_from == "source" and (tag.listed_at or tag.delisted_at):
            out.append(tag)
        elif previous is not None:
            out.append(dataclasses.replace(tag, listed_at=previous.listed_at,
                                           dates_from=previous.dates_from))
        elif tag.kind is TagKind.SANCTION:
            out.append(dataclasses.replace(tag, listed_at=published, dates_from="version"))
        else:
            out.append(dataclasses.replace(tag, listed_at=None, dates_from="source"))
    out.extend(_close(t, published, ended_on) for t in open_old.values())
    out.extend(t for t in old_tags if t.delisted_at is not None)
    return tuple(out)


def _close(tag: Tag, published: dt.date, ended_on: EndedOn | None = None) -> Tag:
    """End an interval at ``published`` (or where the list dates it) unless it ended."""
    if tag.delisted_at is not None:
        return tag
    ended = ended_on(tag) if ended_on is not None else None
    if ended is not None and ended <= published:
        return dataclasses.replace(tag, delisted_at=ended, dates_from="source")
    return dataclasses.replace(tag, delisted_at=published, dates_from="version")
