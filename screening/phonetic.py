"""A phonetic key that survives the trip of a foreign name into katakana and back.

Japanese writes a foreign name with its own syllables: *Vladimir* is ウラジーミル
(``urajimiru``), *Putin* プーチン (``puchin``), *Medvedev* メドヴェージェフ
(``medobejefu``). Romanising the katakana gives a different Latin spelling, far from the
original by edit distance, yet the consonants line up once the sounds Japanese merges are
merged on both sides: l/r, b/v/w, t/ch/ts (ti → チ ``chi``), d/j/zh (di → ジ ``ji``),
f/h/kh (フ, ハ), s/sh/z/th; vowels are dropped (Japanese inserts them between consonants
and at word ends: ``puchin`` → ``PTN`` = *Putin*). A final ``v`` is the ``f`` Japanese
hears (Lavrov ラヴロフ), an initial ``v``/``w`` before ``l``/``r`` is silent (ウラジーミル),
and ``ng`` ends in ``n`` (Jong ジョン).

Evaluated first (see docs/screening.md): cutlet turns katakana loanwords back into their
UniDic "foreign spelling" (ウラジーミル → *Vladimir*, セルゲイ → *Sergey*) but only for
words in the dictionary — surnames come back as plain romaji (*Puuchin*) — and it needs
MeCab with a 250 MB UniDic; alkana goes the other way (English words → katakana) from an
English dictionary that has no Russian, Arabic or Korean names; jaconv only converts
character classes (used in :mod:`screening.kana`). None of them compares a katakana name
with a Latin one, so this key is hand-written; it is only used for queries written in
kana, against listed names in Latin script.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Ordered rules over a lower-case Latin token (a romanised kana word or a listed name).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^[vw](?=[lr])", ""),  # vladimir → ウラジーミル: the v is not written
        (r"v$", "f"),  # lavrov → ラヴロフ: a final v is heard as f
        (r"ng(?![aeiou])", "n"),  # jong → ジョン
        (r"(tch|tsch|tsh|ch|ts|tz|cz|c(?=[ei]))", "T"),  # putin ~ puchin; tsu
        (r"(dzh|dj|zh|j|dz)", "D"),
        (r"(sh|sch|th|z|s)", "S"),
        (r"(kh|ph|f|h)", "H"),
        (r"x", "KS"),
        (r"(ck|c|q|k)", "K"),
        (r"[vwb]", "B"),
        (r"[lr]", "R"),
        (r"t", "T"),
        (r"d", "D"),
        (r"g", "G"),
        (r"[aeiouy']", ""),
        (r"([A-Z])\1+", r"\1"),
    )
)


@lru_cache(maxsize=200_000)
def key(token: str) -> str:
    """Consonant-class key of one Latin token; the token itself when it has no consonant."""
    out = token.lower()
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    return out.lower() or token


def keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(key(t) for t in tokens)
