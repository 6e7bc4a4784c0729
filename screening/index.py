"""Candidate index over every listed name and alias: a query scores 16 names, not 33,000.

Brute-force rapidfuzz over OFAC SDN + ALT costs ~9.5 ms per query (FACTS.md). Here each
name's folded tokens are posted under two blocking keys — the consonant skeleton
(vowel typos and transliteration vowels agree) and the first three letters (consonant
typos later in the word agree) — and a query collects the names sharing most of its
keys, ranks them with rapidfuzz and keeps the best ``limit`` for the full scorer. Keys
held by more than ``MAX_POSTINGS`` names ("mhmd", "al") only count when nothing rarer
is shared, so common tokens cannot blow the budget; a pool still over ``POOL`` after
requiring three shared keys is cut in index order (a recall limit: every key of the
query must then be common).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, islice

from rapidfuzz import fuzz, process

from enrich.sources.base import ListedParty
from screening.text import normalise, skeleton

MAX_POSTINGS = 2000
POOL = 600  # at most this many entries go on to the rapidfuzz ranking


@dataclass(frozen=True, slots=True)
class Entry:
    """One name or alias of one listed party, with its folded tokens."""

    party: int
    name: str
    kind: str  # "name" | "alias"
    tokens: tuple[str, ...]


def keys(tokens: Iterable[str]) -> set[str]:
    """Blocking keys of folded tokens."""
    out: set[str] = set()
    for t in tokens:
        out.add("s:" + skeleton(t))
        if len(t) >= 3:
            out.add("p:" + t[:3])
    return out


class NameIndex:
    """Immutable index of the parties of one tag-store head (rebuild on change)."""

    def __init__(self, parties: list[ListedParty]) -> None:
        self.parties = parties
        self.entries: list[Entry] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for p_idx, party in enumerate(parties):
            names = [(party.name, "name")] + [(a, "alias") for a in party.aliases]
            for name, kind in names:
                folded = normalise(name)
                if not folded:
                    continue
                e_idx = len(self.entries)
                self.entries.append(Entry(p_idx, name, kind, folded))
                for key in keys(folded):
                    postings[key].append(e_idx)
        self._text = [" ".join(e.tokens) for e in self.entries]
        self._postings = {k: frozenset(v) for k, v in postings.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, tokens: tuple[str, ...], limit: int = 16) -> list[Entry]:
        """Entries sharing the most blocking keys with ``tokens``, best ``limit`` first.

        The pool is the entries holding at least two of the query's keys (set
        intersections, in C), or three when two still leave more than ``POOL``; a pool
        too small is topped up from the rarest keys. rapidfuzz's ``token_set_ratio``
        (tolerant of a patronymic the query lacks) ranks the pool via ``process.extract``.
        """
        found = sorted((self._postings[k] for k in keys(tokens) if k in self._postings), key=len)
        rare = [f for f in found if len(f) <= MAX_POSTINGS] or found[:1]
        pool: set[int] = set()
        for size in (2, 3):
            pool = set().union(*(frozenset.intersection(*c) for c in combinations(rare, size)))
            if len(pool) <= POOL:
                break
        for postings in rare:  # rarest first
            if len(pool) >= limit:
                break
            pool.update(islice(postings, POOL - len(pool)))
        ordered = sorted(pool)[:POOL]
        if len(ordered) <= limit:
            return [self.entries[e] for e in ordered]
        best = process.extract(" ".join(tokens), [self._text[e] for e in ordered],
                               scorer=fuzz.token_set_ratio, limit=limit)
        return [self.entries[ordered[i]] for _, _, i in best]
