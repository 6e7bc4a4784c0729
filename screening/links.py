"""The same party on several lists, linked only on strong evidence, so that a screening hit
reads "ofac-sdn 35096 / jp-mof 29-1" as one party instead of two unrelated hits.

Two kinds of evidence count, each strong on its own:

* **a shared crypto address** — both lists tag the same address as sanctioned under their
  own list ids (Lazarus Group: OFAC 27307 and MOF 16-68 hold the same Ethereum addresses);
* **name and full date of birth** — two individuals with the same complete DOB (day, month
  and year, not approximate) whose Latin names agree token for token, the shorter name's
  folded tokens all in the longer one's (``Vladimir Putin`` ⊂ ``PUTIN, Vladimir
  Vladimirovich``), at least two tokens. A year alone or a circa date never links.

Weaker resemblance stays two hits: a wrong link would hide a party's own facts (dates,
programs) behind another's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from enrich.sources.base import ListedParty
from screening import dates
from screening.text import normalise
from txmon.models import Tag, TagKind

Key = tuple[str, str]  # (source, list id)


class PartyLinks:
    """Groups of (source, list id) that are one party; :meth:`group` of one key."""

    def __init__(self, parties: list[ListedParty], tags: Iterable[Tag]) -> None:
        self._parent: dict[Key, Key] = {}
        self._parties = {(p.source, p.list_id): p for p in parties}
        self._link_by_address(tags)
        self._link_by_name_and_dob(parties)
        # Groups are read on every screening hit (and the size on every truth test): built
        # once here, not by a scan of every linked key per hit (that cost ~5 ms a query).
        by_root: dict[Key, list[Key]] = defaultdict(list)
        for key in list(self._parent):
            by_root[self._find(key)].append(key)
        self._members = {k: tuple(sorted(ms)) for ms in by_root.values() for k in ms}
        self._groups = len(by_root)

    def to_wire(self) -> list[list[list[str]]]:
        """The linked groups (each a sorted list of [source, list id]), in a fixed order."""
        groups = {ms for ms in self._members.values()}
        return [[list(k) for k in ms] for ms in sorted(groups)]

    @classmethod
    def from_wire(cls, groups: list[list[list[str]]]) -> PartyLinks:
        """Links as :meth:`to_wire` wrote them, without re-deriving them from the lists."""
        links = cls.__new__(cls)
        links._parent, links._parties = {}, {}
        members = [tuple((s, i) for s, i in group) for group in groups]
        links._members = {k: ms for ms in members for k in ms}
        links._groups = len(members)
        return links

    def group(self, key: Key) -> tuple[Key, ...]:
        """Every key linked with ``key`` (itself first, then by source and id)."""
        return (key, *(k for k in self._members.get(key, ()) if k != key))

    def label(self, key: Key) -> str:
        """``ofac-sdn 35096 / jp-mof 29-1``: how a hit on a linked party names it."""
        return " / ".join(f"{source} {list_id}" for source, list_id in self.group(key))

    def __len__(self) -> int:
        """How many linked groups (parties on more than one list)."""
        return self._groups

    # ---- evidence ------------------------------------------------------------------
    def _link_by_address(self, tags: Iterable[Tag]) -> None:
        holders: dict[str, set[Key]] = defaultdict(set)
        for tag in tags:
            if tag.kind is TagKind.SANCTION and tag.list_id:
                holders[tag.address].add((tag.source, tag.list_id))
        for keys in holders.values():
            if len({source for source, _ in keys}) > 1:
                first, *rest = sorted(keys)
                for other in rest:
                    self._union(first, other)

    def _link_by_name_and_dob(self, parties: list[ListedParty]) -> None:
        by_dob: dict[tuple[int, int, int], list[ListedParty]] = defaultdict(list)
        for party in parties:
            if party.party_type != "individual":
                continue
            for day in _exact_dobs(party):
                by_dob[day].append(party)
        for same_day in by_dob.values():
            for i, one in enumerate(same_day):
                for other in same_day[i + 1:]:
                    if one.source != other.source and _names_agree(one, other):
                        self._union((one.source, one.list_id), (other.source, other.list_id))

    # ---- union-find ----------------------------------------------------------------
    def _find(self, key: Key) -> Key:
        parent = self._parent.get(key, key)
        if parent == key:
            return key
        root = self._find(parent)
        self._parent[key] = root
        return root

    def _union(self, a: Key, b: Key) -> None:
        self._parent.setdefault(a, a)
        self._parent.setdefault(b, b)
        self._parent[self._find(b)] = self._find(a)


def _exact_dobs(party: ListedParty) -> set[tuple[int, int, int]]:
    out = set()
    for text in party.dob:
        for day in dates.parse(text):
            if day.month is not None and day.day is not None and not day.approx:
                out.add((day.year, day.month, day.day))
    return out


def _latin_names(party: ListedParty) -> list[frozenset[str]]:
    names = (party.name, *party.aliases)
    return [frozenset(normalise(n)) for n in names if n.isascii() and len(normalise(n)) >= 2]


def _names_agree(one: ListedParty, other: ListedParty) -> bool:
    for a in _latin_names(one):
        for b in _latin_names(other):
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            if short <= long_:
                return True
    return False
