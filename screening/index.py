"""Candidate index over every listed name and alias: a query scores ~40 names, not 40,000.

Brute-force rapidfuzz over OFAC SDN + ALT costs ~9.5 ms per query (FACTS.md). Here each
name's folded tokens are posted under two blocking keys — the consonant skeleton
(vowel typos and transliteration vowels agree) and the first three letters (consonant
typos later in the word agree) — and a query collects the names sharing most of its
keys, ranks them with rapidfuzz and keeps the best ``limit`` for the full scorer. Keys
held by more than ``MAX_POSTINGS`` names ("mhmd", "al") only count when nothing rarer
is shared, so common tokens cannot blow the budget; a pool still over ``POOL`` after
requiring three shared keys is cut in index order (a recall limit: every key of the
query must then be common).

The best ``LIMIT`` by rapidfuzz go on, plus every pooled name of a party born in the
query's year of birth (``dob_year``): with 40 "Andrei …ovich" in the pool, a cut by name
alone dropped the one whose DOB confirms the hit (Andrei Guryev).

``common`` holds the words that many parties' names share (``COMMON_PARTIES`` or more:
Maria, Garcia, Ahmad, Vladimir): the matcher does not take a few of them as naming one
person whose listed name has many more words.

Listed names in Latin script also carry the :mod:`screening.phonetic` keys of their
tokens, posted separately (``f:`` keys), for queries written in kana.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, islice

from rapidfuzz import fuzz, process

from enrich.sources.base import ListedParty
from screening import dates, phonetic
from screening.score import optional
from screening.text import normalise, skeleton
from screening.text import tokens as latin_tokens

MAX_POSTINGS = 2000
POOL = 600  # at most this many entries go on to the rapidfuzz ranking
LIMIT = 40  # ranked candidates scored in full (~15 µs each)
PRE_MIN = 50.0
SAME_YEAR = 24  # at most this many more: pooled names of parties born in the query's year
PHONETIC_POOL = 24  # the names sharing the most keys
COMMON_PARTIES = 20  # a word in this many parties' names is a common name word


@dataclass(frozen=True, slots=True)
class Entry:
    """One name or alias of one listed party, with its folded tokens."""

    party: int
    name: str
    kind: str  # "name" | "alias"
    tokens: tuple[str, ...]
    phon: tuple[str, ...] = ()  # phonetic keys of a Latin-script name (kana queries)


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
        self.years: list[frozenset[int]] = [
            frozenset(d.year for text in p.dob for d in dates.parse(text)) for p in parties]
        postings: dict[str, list[int]] = defaultdict(list)
        parties_of: dict[str, int] = defaultdict(int)
        for p_idx, party in enumerate(parties):
            words: set[str] = set()
            names = [(party.name, "name")] + [(a, "alias") for a in party.aliases]
            for name, kind in names:
                folded = normalise(name)
                if not folded:
                    continue
                e_idx = len(self.entries)
                phon = (phonetic.keys(latin_tokens(name))
                        if name.isascii() and party.party_type == "individual" else ())
                self.entries.append(Entry(p_idx, name, kind, folded, phon))
                words.update(folded)
                for key in keys(folded):
                    postings[key].append(e_idx)
                for key in set(phon):
                    postings["f:" + key].append(e_idx)
            for word in words:
                parties_of[word] += 1
        self.common = frozenset(w for w, n in parties_of.items() if n >= COMMON_PARTIES)
        self._text = [" ".join(e.tokens) for e in self.entries]
        self._postings = {k: frozenset(v) for k, v in postings.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, tokens: tuple[str, ...], limit: int = LIMIT,
                   dob_year: int | None = None) -> list[Entry]:
        """Entries sharing the most blocking keys with ``tokens``, best ``limit`` first.

        The pool is the entries holding at least two of the query's keys (set
        intersections, in C), or three when two still leave more than ``POOL``; a pool
        too small is topped up from the rarest keys. rapidfuzz's ``token_set_ratio``
        (tolerant of a patronymic the query lacks) ranks the pool via ``process.extract``;
        pooled names of parties born in ``dob_year`` are added after the best ``limit``.
        """
        # "Antares Co., Ltd.": the legal form would pool every "… CO., LTD." first
        distinctive = tuple(t for t in tokens if not optional(t)) or tokens
        found = sorted((self._postings[k] for k in keys(distinctive) if k in self._postings),
                       key=len)
        rare = [f for f in found if len(f) <= MAX_POSTINGS] or found[:1]
        pool: set[int] = set()
        for size in (2, 3):
            # triples of the 8 rarest keys only: a long name has ~16 keys, C(16, 3) = 560
            keyset = rare if size == 2 else rare[:8]
            pool = set().union(*(frozenset.intersection(*c) for c in combinations(keyset, size)))
            if len(pool) <= POOL:
                break
        for postings in rare:  # rarest first
            if len(pool) >= limit:
                break
            pool.update(islice(postings, POOL - len(pool)))
        ordered = sorted(pool)[:POOL]
        if len(ordered) <= limit:
            return [self.entries[e] for e in ordered]
        # a name under PRE_MIN by token_set_ratio cannot align to a review score (every
        # aligned word must be ≥ 75 % alike): not worth the ~15 µs of a full alignment
        best = process.extract(" ".join(tokens), [self._text[e] for e in ordered],
                               scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=PRE_MIN)
        chosen = [ordered[i] for _, _, i in best]
        if dob_year is not None:
            taken = set(chosen)
            born = [e for e in ordered if e not in taken
                    and dob_year in self.years[self.entries[e].party]]
            chosen += born[:SAME_YEAR]
        return [self.entries[e] for e in chosen]

    def phonetic_candidates(self, phon: tuple[str, ...]) -> list[Entry]:
        """Latin-script names of individuals sharing at least two phonetic keys with a kana
        query (a given name and a surname), rarest keys first, at most ``PHONETIC_POOL``."""
        found = sorted((self._postings["f:" + k] for k in set(phon)
                        if "f:" + k in self._postings), key=len)
        if len(found) < 2:
            return []
        pool = set().union(*(a & b for a, b in combinations(found[:4], 2)))
        wanted = set(phon)
        shared = sorted(pool, key=lambda e: (-len(wanted.intersection(self.entries[e].phon)), e))
        return [self.entries[e] for e in shared[:PHONETIC_POOL]]
