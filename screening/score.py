"""Token-order-insensitive name similarity, built on rapidfuzz.

rapidfuzz's ``token_sort_ratio`` alone scores "Anton Andreev" against OFAC's "ANDREYEV,
Anton Nikolaeyvich" under 80 (the patronymic is in the list, not in the query), and its
``token_set_ratio`` scores a lone "Roman" 100 against "SEMENOV, Roman". So tokens are
aligned one to one (best ``fuzz.ratio`` pairs first) and the score weighs how much of
the *query* is explained (80 %) and how much of the *listed name* (20 %), where a
listed patronymic or particle that the query lacks is not held against it. A query that
matches only one token of a multi-token name is capped: a given name alone is not a hit.
The better of that and ``token_sort_ratio`` (which handles "Abdul Rahman"/"Abdulrahman")
is the score; so is the ratio of the tokens written together in list order, for names
written without spaces (Japanese in kanji, "Abdulrahman").

Three guards against false flags seen on real queries:

* a token that is another token plus an affix of two or more letters is a different
  word, not a spelling variant (``megumi`` is not ``gumi``: "Megumi Yamaguchi" is not the
  YAMAGUCHI-GUMI; ``semenova`` is not ``semenov``);
* a pair must also agree on its consonant skeleton (``mendelev``/``medvedev`` share 75 %
  of their letters but only two of five consonants: Mendeleev is not Medvedev);
* a query that matches one token only, and that token a common Japanese surname or
  given name (:mod:`screening.common_ja`), is capped below review for entities as well
  (``Yamaguchi`` alone is not the YAMAGUCHI-GUMI).

Legal forms and particles in the *query* are not held against it either ("Bitvan LLC" is
LIMITED LIABILITY COMPANY BITVAN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from screening.common_ja import COMMON_NAMES
from screening.text import fold, skeleton

TOKEN_MIN = 75.0  # below this two tokens are different words, not spelling variants
SINGLE_TOKEN_CAP = 60.0
WHOLE_MIN = 85.0  # "abdulrahman" vs "abdul rahman": one pair, yet the same name
SKELETON_MIN = 65.0  # consonant skeletons of a spelling variant agree more than this
AFFIX_MIN = 2  # letters added to a word that make it another word (megumi / gumi)
SHORT = 2  # a word this short matches only as written (after folding)
_OPTIONAL = re.compile(r"(vich|vych|vna|ovna|evna|ichna|ogl[iy]|kyzy|ich)$")
_PARTICLE_WORDS = "al el ul bin ibn abu bint de da van von der la le mr mrs haji hajji sheikh"
_LEGAL_WORDS = (
    # "GARANTEX EUROPE OU" is still Garantex; "LIMITED LIABILITY COMPANY BITVAN" is "Bitvan
    # LLC". Only for entities: folded, OU and OOO are "o", which is also a Korean name (O Su
    # Yong) and the folded "Yo" of KIM Yo Jong.
    "ou ooo ao pao zao oao llc ltd limited inc co corp company gmbh sa sarl fze jsc pjsc plc "
    "liability joint stock closed open public society kk kabushiki kaisha ag bv nv llp lp "
    "tov pte bhd srl spa "
    # 株式会社 / 有限会社 / 合同会社 / 団体 as pykakasi reads them (screening/kana.py)
    "kabushikigaisha yugengaisha godogaisha goshigaisha gomeigaisha dantai"
)
_PARTICLES = frozenset(fold(t) for t in _PARTICLE_WORDS.split())
_LEGAL = frozenset(fold(t) for t in _LEGAL_WORDS.split())


@dataclass(frozen=True, slots=True)
class Alignment:
    """The score and which query token matched which listed token, with each ratio."""

    score: float
    pairs: tuple[tuple[str, str, float], ...]


@lru_cache(maxsize=400_000)
def optional(token: str, person: bool = False) -> bool:
    """A particle, a patronymic (individuals) or a legal form (entities): not held against a
    name that lacks it."""
    if token in _PARTICLES:
        return True
    if person:
        return len(token) > 6 and _OPTIONAL.search(token) is not None
    return token in _LEGAL


def _look_alike(q: str, n: str) -> bool:
    """Two different words that fuzz.ratio puts between TOKEN_MIN and 100: one is the other
    plus an affix, or their consonant skeletons disagree (see the module docstring)."""
    if min(len(q), len(n)) <= SHORT:
        return True  # "li" / "lin": one letter is most of a two-letter word
    short, long_ = (q, n) if len(q) <= len(n) else (n, q)
    if len(long_) - len(short) >= AFFIX_MIN and (long_.startswith(short)
                                                 or long_.endswith(short)):
        return True
    return fuzz.ratio(skeleton(q), skeleton(n)) <= SKELETON_MIN


def _pairs(query: tuple[str, ...], name: tuple[str, ...]) -> list[tuple[float, int, int]]:
    """(ratio, i, j) of the word pairs that are the same word or a spelling variant.
    rapidfuzz's score_cutoff answers 0 for the many unlike pairs without Python work: a
    long name (8 words against 8) is 64 pairs per candidate."""
    ratio = fuzz.ratio
    out = []
    for i, q in enumerate(query):
        for j, n in enumerate(name):
            r = ratio(q, n, score_cutoff=TOKEN_MIN)
            if r and (r == 100.0 or not _look_alike(q, n)):
                out.append((r, i, j))
    out.sort(reverse=True)
    return out


def align(query: tuple[str, ...], name: tuple[str, ...], person: bool = True) -> Alignment:
    """Similarity 0–100 of two folded token tuples, with the token pairs that made it.

    ``person``: the listed party is an individual, so one matching token (a given name
    or a common surname alone) is capped below any threshold.
    """
    if not query or not name:
        return Alignment(0.0, ())
    scored = _pairs(query, name)
    if not scored and len(query) == len(name):
        return Alignment(0.0, ())  # no word alike, and none written split or joined
    used_q: set[int] = set()
    used_n: set[int] = set()
    pairs: list[tuple[str, str, float]] = []
    q_got = n_got = 0.0
    for ratio, i, j in scored:
        if ratio < TOKEN_MIN:
            break
        if i in used_q or j in used_n:
            continue
        used_q.add(i)
        used_n.add(j)
        pairs.append((query[i], name[j], round(ratio, 1)))
        q_got += ratio * len(query[i])
        n_got += ratio * len(name[j])
    q_len = sum(len(t) for i, t in enumerate(query) if i in used_q or not optional(t, person))
    n_len = sum(len(t) for j, t in enumerate(name) if j in used_n or not optional(t, person))
    score = 0.8 * q_got / max(q_len, 1) + 0.2 * n_got / max(n_len, 1)
    whole = 0.0
    if len(query) != len(name):  # a word written split or joined on one side only
        joined_q, joined_n = "".join(query), "".join(name)
        if abs(len(joined_q) - len(joined_n)) <= 1:  # the same letters, spaced otherwise
            # (篠田建市 → "shinodakenshi"; but "yamaguchimegumi" is not "yamaguchi gumi")
            whole = max(fuzz.token_sort_ratio(" ".join(query), " ".join(name)),
                        fuzz.ratio(joined_q, joined_n))
    score = max(score, whole)
    significant = sum(1 for t in name if not optional(t, person))
    telling = [q for q, _, _ in pairs if not optional(q, person)]  # "co"/"ltd" pairs prove nothing
    # one word that is a common Japanese name, or a word of three letters or less ("il"),
    # is not enough to name anyone, even an entity
    one_common = len(telling) == 1 and (telling[0] in COMMON_NAMES or len(telling[0]) <= 3)
    if len(telling) < 2 and whole < WHOLE_MIN and (
            (person and significant >= 2) or one_common or not telling):
        score = min(score, SINGLE_TOKEN_CAP)
    return Alignment(round(score, 1), tuple(pairs))
