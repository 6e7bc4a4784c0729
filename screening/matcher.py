"""Explained name matches: which listed name or alias, how similar, and whether the
date of birth and nationality agree — the two facts that tell namesakes apart.

Verdicts (thresholds in docs/screening.md):

* ``strong``   — score ≥ ``STRONG`` and the date of birth agrees (exact or on the year),
  or the listed nationality agrees and the dates of birth do not differ;
* ``possible`` — score ≥ ``REVIEW`` and nothing rules the party out;
* ``namesake`` — the name scores ≥ ``REVIEW`` but the dates of birth differ, or the
  nationalities differ and no date of birth agrees: reported, so an analyst can see it was
  considered, but not a hit. ``Match.basis`` says which fact decided.

A date of birth outweighs a country: people change residence and acquire nationalities,
a birth date does not move. The query's country may be a nationality or a residence, so it
is only compared with the listed nationalities and citizenships (``nationality``), never
with listed addresses (``countries``): an address in Russia does not make a Russian, and
living in Japan does not rule out a listed Russian. Agreement with an address alone is
reported (``country == "address"``) but neither confirms nor rules out.

A name alone is never ``strong``. Each reading of the query is scored (a kanji name has
several: :func:`screening.text.forms`), and a query written in kana is also compared by
sound with the Latin names of listed individuals (:mod:`screening.phonetic`); the best
alignment per party counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from screening import countries, dates, phonetic
from screening.common_ja import COMMON_NAMES
from screening.index import Entry, NameIndex
from screening.score import Alignment, align, optional
from screening.text import fold_cached, forms, kana_only, tokens

# A kana query against a Latin-script name: sound-alike evidence, never above this (still
# a block with a confirming date of birth, STRONG ≤ PHONETIC_CAP).
PHONETIC_CAP = 95.0
OTHER_FORMS = 24
# A few common words ("Maria Garcia") covering half or less of a listed individual's name
# ("GAXIOLA GARCIA, Maria Elena"): never above this, below review.
COMMON_PARTIAL_CAP = 75.0

REVIEW = 80.0
STRONG = 90.0


@dataclass(frozen=True, slots=True)
class NameQuery:
    """Who is screened: a name (any script), optionally date of birth and country."""

    name: str
    dob: dt.date | None = None
    country: str | None = None  # ISO alpha-2 (nationality or residence)


@dataclass(frozen=True, slots=True)
class Match:
    """One listed party that a query resembles, with everything needed to explain it."""

    list_id: str
    source: str
    party_name: str
    party_type: str
    matched_name: str
    matched_kind: str  # name | alias
    score: float
    query_tokens: tuple[str, ...]
    matched_tokens: tuple[str, ...]
    token_pairs: tuple[tuple[str, str, float], ...]
    dob: str  # exact | year | differs | unknown | not given
    country: str  # agrees | differs | address | unknown | not given (vs listed nationality)
    listed_dob: tuple[str, ...]
    listed_nationality: tuple[str, ...]
    programs: tuple[str, ...]
    verdict: str  # strong | possible | namesake
    basis: str = ""  # the fact that confirmed or ruled out: "date of birth" | "nationality"

    def to_wire(self) -> dict[str, Any]:
        return {
            "list_id": self.list_id, "source": self.source, "party": self.party_name,
            "party_type": self.party_type, "matched_name": self.matched_name,
            "matched_kind": self.matched_kind, "score": self.score,
            "normalised": {"query": " ".join(self.query_tokens),
                           "listed": " ".join(self.matched_tokens)},
            "token_pairs": [list(p) for p in self.token_pairs],
            "dob": self.dob, "country": self.country, "listed_dob": list(self.listed_dob),
            "listed_nationality": list(self.listed_nationality),
            "programs": list(self.programs), "verdict": self.verdict,
            "basis": self.basis or None,
        }


class NameMatcher:
    """Screens names against one :class:`NameIndex`."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index

    def _scored(self, query: NameQuery) -> list[tuple[Entry, Alignment, tuple[str, ...]]]:
        """Every candidate with its best alignment over the query's readings (and, for a
        kana query, its phonetic alignment against Latin-script names)."""
        year = query.dob.year if query.dob else None
        out = []
        first, *others = forms(query.name)
        if first:
            for entry in self.index.candidates(first, dob_year=year):
                party = self.index.parties[entry.party]
                out.append((entry, align(first, entry.tokens, party.party_type == "individual"),
                            first))
        if others:
            # The other readings of a kanji name (up to 8): one pooled look-up, and each
            # candidate aligned (~15 µs) with the reading closest to it only.
            pooled = tuple(dict.fromkeys(t for form in others for t in form))
            joined = [" ".join(f) for f in others]
            for entry in self.index.candidates(pooled, limit=OTHER_FORMS, dob_year=year):
                target = " ".join(entry.tokens)
                form = others[max(range(len(others)),
                                  key=lambda i: fuzz.token_sort_ratio(joined[i], target))]
                party = self.index.parties[entry.party]
                out.append((entry, align(form, entry.tokens, party.party_type == "individual"),
                            form))
        if kana_only(query.name):
            words = tokens(query.name)
            phon = phonetic.keys(words)
            # The sound comparison is for foreign names written in kana; a common Japanese
            # name word (すずき, たろう) is not one, and its short key (sk, tr) sounds like
            # half the lists (KIM Sok Chol): it is no evidence here.
            native = {k for k, w in zip(phon, words, strict=True)
                      if fold_cached(w) in COMMON_NAMES}
            native -= {k for k, w in zip(phon, words, strict=True)
                       if fold_cached(w) not in COMMON_NAMES}
            for entry in self.index.phonetic_candidates(phon):
                party = self.index.parties[entry.party]
                found = align(phon, entry.phon, party.party_type == "individual")
                if sum(1 for q, _, _ in found.pairs if q not in native) < 2:
                    continue  # one sound-alike word is not evidence
                if found.score > PHONETIC_CAP:
                    found = Alignment(PHONETIC_CAP, found.pairs)
                out.append((entry, found, phon))
        return out

    def _partial(self, found: Alignment, entry: Entry, person: bool) -> Alignment:
        """Caps a match of a listed individual whose listed name has at least twice as
        many words as the query explained, when every explained word is a common one
        (:attr:`NameIndex.common`): two of the four names of a Hispanic or Arabic
        individual, both shared by dozens of listed parties, name nobody in particular.
        A rare word among them ("Ahmad Basha" for BASHA, Ahmad Nadir Ibrahim) keeps it, and
        so does an agreeing date of birth (:meth:`screen` does not call this then)."""
        if not person or found.score <= COMMON_PARTIAL_CAP:
            return found
        telling = [n for _, n, _ in found.pairs if not optional(n, True)]
        significant = sum(1 for t in entry.tokens if not optional(t, True))
        # one pair scoring this high is a whole-name match written split or joined
        # ("kimu jonun" = KIM Jong Un): its pairs undercount what it covers
        if len(telling) >= 2 and significant >= 2 * len(telling) and all(
                n in self.index.common for n in telling):
            return Alignment(COMMON_PARTIAL_CAP, found.pairs)
        return found

    def screen(self, query: NameQuery, limit: int = 10) -> list[Match]:
        """Matches at or above ``REVIEW``, best party first, one per party."""
        best: dict[int, Match] = {}
        for entry, found, form in self._scored(query):
            if found.score < REVIEW:
                continue
            party = self.index.parties[entry.party]
            dob = _dob(query.dob, party.dob)
            if dob not in ("exact", "year"):  # an agreeing DOB names the person itself
                found = self._partial(found, entry, party.party_type == "individual")
                if found.score < REVIEW:
                    continue
            held = best.get(entry.party)
            if held is not None and held.score >= found.score:
                continue
            country = _country(query.country, party.nationality, party.countries)
            verdict, basis = _verdict(found.score, dob, country)
            best[entry.party] = Match(
                party.list_id, party.source, party.name, party.party_type, entry.name,
                entry.kind, found.score, form, entry.tokens, found.pairs, dob, country,
                party.dob, party.nationality, party.programs, verdict, basis)
        order = {"strong": 0, "possible": 1, "namesake": 2}
        ranked = sorted(best.values(), key=lambda m: (order[m.verdict], -m.score, m.list_id))
        return ranked[:limit]


def _dob(given: dt.date | None, listed: tuple[str, ...]) -> str:
    if given is None:
        return "not given"
    return dates.agreement(given, [d for text in listed for d in dates.parse(text)])


def _country(given: str | None, nationality: tuple[str, ...],
             addresses: tuple[str, ...]) -> str:
    """``given`` against the listed nationalities; addresses only as a weaker note."""
    if given is None:
        return "not given"
    code = given.upper()
    if not countries.is_code(code):
        return "unknown"  # the service reports the bad code; it must not rule anyone out
    known = countries.codes_of(nationality)
    if code in known:
        return "agrees"
    if code in countries.codes_of(addresses):
        return "address"  # lives (or lived) there: not a nationality, decides nothing
    return "differs" if known else "unknown"


def _verdict(score: float, dob: str, country: str) -> tuple[str, str]:
    """The verdict and the fact it rests on (see the module docstring for the order)."""
    if dob == "differs":
        return "namesake", "date of birth"
    if dob in ("exact", "year"):  # a DOB agreement outweighs a nationality difference
        return ("strong", "date of birth") if score >= STRONG else ("possible", "")
    if country == "differs":
        return "namesake", "nationality"
    if score >= STRONG and country == "agrees":
        return "strong", "nationality"
    return "possible", ""
