"""In-process hot-path index of tagged addresses for the enrich stage.

Almost every address the pipeline sees is untagged, so the index is built for the
miss: one dict probe. To keep a million tagged addresses in little memory, keys are
the 20 raw bytes of an EVM address (53 bytes per key object instead of 83 for the
42-character string) and other addresses their canonical string
(:func:`txmon.addresses.index_key`, derived from the one normal form); each value is a
shared int into a tuple of interned tag groups (tags stripped of their address, so
every address of one entity shares one group). ``Tag`` objects are built only on a hit.

The whole state is swapped in one attribute assignment on refresh, so a concurrent
reader sees the old index or the new one, never a mix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from enrich.tagstore import TagStore
from txmon.addresses.keys import Key, index_key, key_address
from txmon.models import Tag

Fields = tuple[Any, ...]  # a Tag's fields after ``address``, in declaration order
Group = tuple[Fields, ...]
_FIELDS = tuple(f.name for f in dataclasses.fields(Tag) if f.name != "address")


class TagIndex:
    """Address → tags, rebuilt from the tag store whenever its head changes."""

    def __init__(self, tag_store: TagStore | None = None) -> None:
        self._store = tag_store
        self._state: tuple[dict[Key, int], tuple[Group, ...], int] = ({}, (), -1)
        if tag_store is not None:
            self.refresh()

    @classmethod
    def from_tags(cls, tags: Iterable[Tag]) -> TagIndex:
        """An index over ``tags`` without a store (tests, benchmarks)."""
        index = cls()
        index._state = (*_build(tags), 0)
        return index

    def __len__(self) -> int:
        return len(self._state[0])

    @property
    def seq(self) -> int:
        """Head sequence of the tag store this index was built from."""
        return self._state[2]

    def tags_for(self, address: str) -> Sequence[Tag]:
        """Every tag (past and present) of ``address``; empty tuple when untagged."""
        mapping, groups, _ = self._state
        key: Key
        if len(address) == 42 and address[1] in "xX":  # EVM inline: this is the hot path
            try:
                key = bytes.fromhex(address[2:])
            except ValueError:
                key = address
        else:
            key = index_key(address)
        slot = mapping.get(key)
        if slot is None:
            return ()
        canonical = key_address(key)
        group = groups[slot]
        if len(group) == 1:
            return (Tag(canonical, *group[0]),)
        return tuple([Tag(canonical, *fields) for fields in group])

    def lookup(self, address: str, as_of: dt.date | None = None) -> list[Tag]:
        """Tags in force on ``as_of`` (today, UTC, when None)."""
        day = as_of or dt.datetime.now(dt.UTC).date()
        return [t for t in self.tags_for(address) if t.active_on(day)]

    def refresh(self) -> bool:
        """Rebuild if the store's head moved; True if a new state was swapped in."""
        if self._store is None:
            return False
        seq = self._store.head().seq
        if seq == self._state[2]:
            return False
        mapping, groups = _build(self._store.all_tags())
        self._state = (mapping, groups, seq)
        return True


def _build(tags: Iterable[Tag]) -> tuple[dict[Key, int], tuple[Group, ...]]:
    """Key → slot of an interned group, built incrementally so no per-address list exists."""
    shared: dict[Fields, Fields] = {}
    interned: dict[Group, int] = {}
    groups: list[Group] = []
    slots: list[int] = []  # shared int objects, so values do not cost 28 bytes each
    mapping: dict[Key, int] = {}
    for tag in tags:
        fields = tuple(getattr(tag, name) for name in _FIELDS)
        fields = shared.setdefault(fields, fields)
        key = index_key(tag.address)
        previous = mapping.get(key)
        group = (fields,) if previous is None else groups[previous] + (fields,)
        slot = interned.get(group)
        if slot is None:
            slot = len(groups)
            interned[group] = slot
            groups.append(group)
            slots.append(slot)
        mapping[key] = slots[slot]
    return mapping, tuple(groups)
