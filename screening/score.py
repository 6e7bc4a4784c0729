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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from screening.text import fold

TOKEN_MIN = 75.0  # below this two tokens are different words, not spelling variants
SINGLE_TOKEN_CAP = 60.0
WHOLE_MIN = 85.0  # "abdulrahman" vs "abdul rahman": one pair, yet the same name
_OPTIONAL = re.compile(r"(vich|vych|vna|ovna|evna|ichna|ogl[iy]|kyzy|ich)$")
_PARTICLE_WORDS = (
    "al el ul bin ibn abu bint de da van von der la le mr mrs haji hajji sheikh "
    # legal forms: "GARANTEX EUROPE OU" is still Garantex
    "ou ooo ao pao zao llc ltd limited inc co corp company gmbh sa sarl fze jsc pjsc plc"
)
_PARTICLES = frozenset(fold(t) for t in _PARTICLE_WORDS.split())


@dataclass(frozen=True, slots=True)
class Alignment:
    """The score and which query token matched which listed token, with each ratio."""

    score: float
    pairs: tuple[tuple[str, str, float], ...]


def _optional(token: str) -> bool:
    return token in _PARTICLES or (len(token) > 6 and _OPTIONAL.search(token) is not None)


def align(query: tuple[str, ...], name: tuple[str, ...], person: bool = True) -> Alignment:
    """Similarity 0–100 of two folded token tuples, with the token pairs that made it.

    ``person``: the listed party is an individual, so one matching token (a given name
    or a common surname alone) is capped below any threshold.
    """
    if not query or not name:
        return Alignment(0.0, ())
    scored = sorted(((fuzz.ratio(q, n), i, j) for i, q in enumerate(query)
                     for j, n in enumerate(name)), reverse=True)
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
    q_len = sum(len(t) for t in query)
    n_len = sum(len(t) for j, t in enumerate(name) if j in used_n or not _optional(t))
    score = 0.8 * q_got / q_len + 0.2 * n_got / max(n_len, 1)
    whole = max(fuzz.token_sort_ratio(" ".join(query), " ".join(name)),
                fuzz.ratio("".join(query), "".join(name)))  # 篠田建市 → "shinodakenshi"
    score = max(score, whole)
    significant = sum(1 for t in name if not _optional(t))
    if person and len(pairs) < 2 and significant >= 2 and whole < WHOLE_MIN:
        score = min(score, SINGLE_TOKEN_CAP)
    return Alignment(round(score, 1), tuple(pairs))
