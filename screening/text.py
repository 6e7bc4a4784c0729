"""Turning a name in any script into comparable Latin tokens.

Three steps, each for a reason seen in the lists, after :func:`txmon.textnorm.clean`
(NFKC, invisible characters such as zero-width spaces and soft hyphens removed,
whitespace folded: ``Ro<U+200B>man`` is ``Roman``, as a reader sees it):

1. **Transliterate.** Kana are first folded to one spelling (:mod:`screening.kana`:
   half-width, hiragana, ヴ/ブ, ー, small kana), then Japanese goes through pykakasi
   (passport Hepburn, the spelling of passports and of the lists), because unidecode reads
   kanji as Chinese (山田 → "Shan Tian"). Kanji readings are ambiguous (清司: Kiyoshi or
   Seiji): :func:`forms` adds every reading the dictionary gives (:mod:`screening.kanji`).
   Hangul goes through :mod:`screening.hangul` (unidecode has no Korean spelling rules);
   everything else (Cyrillic, Greek, accented Latin) through unidecode, after the Cyrillic
   soft and hard signs are dropped: unidecode writes them as an apostrophe, which would cut
   ``Вексельберг`` into "veksel berg" (every Latin spelling of the lists omits them).
2. **Normalise.** Lower case, punctuation to spaces (``AL-QAIDA`` = ``al qaida``), the
   OFAC "SURNAME, Given" comma dropped — token order is irrelevant to the scorer.
3. **Fold spelling variants** of the same sound that romanisation systems disagree on
   (Andreyev/Andreev, Semyonov/Semenov, Tarou/Taro, Mohammed/Muhammad's doubled letters).
   This is hand-written because no maintained library folds *romanisation* variants (the
   phonetic libraries target English spelling and keep the ``y`` of "yev"); the rules are
   few, applied to both sides, so they can only bring true variants together.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

from screening import hangul, kana, kanji
from txmon.textnorm import clean

_SIGNS = str.maketrans({"ь": None, "Ь": None, "ъ": None, "Ъ": None, "ʹ": None, "ʺ": None})
_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Ordered (pattern, replacement) pairs over a lower-case Latin token.
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"(?<=[aeiou])y(?=[aeiou])", ""),  # andreyev → andreev, ayoub → aoub
        (r"^y(?=[eo])", ""),  # yevgeny → evgeny, yelena → elena
        (r"(yo|jo|io)", "e"),  # semyonov → semenov, fyodor → feder (both sides alike)
        (r"(ye|je)", "e"),  # alekseyevich, andrejev
        (r"ou", "o"),  # tarou → taro (Hepburn long vowel), youssef → yossef
        (r"uu", "u"),  # yuuki → yuki
        (r"(iy|yy|ij|ii)$", "i"),  # dmitriy / dmitrii / dmitrij → dmitri
        (r"ph", "f"),
        (r"w", "v"),  # ivanow → ivanov
        (r"(kh|ck|q|c(?=[aou]))", "k"),  # khalid/halid stay apart; mikhail → mikail
        (r"(ks|cks)", "x"),  # aleksandr / alexandr
        (r"(.)\1+", r"\1"),  # mohammed → mohamed, abbas → abas
    )
)
_VOWELS = re.compile(r"[aeiouy]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A Japanese personal name is written with two to six kanji (surname 1–3, given name
# 1–3); a longer kanji name is an organisation's (株式会社第810航空機修理工場, 軍用輸送航空
# 司令部), whose words pykakasi reads right the first time. Their other readings were the
# costliest part of the slowest queries (8 readings × a pooled look-up, ~2 ms of CPU).
PERSON_HAN_MAX = 6


@lru_cache(maxsize=1)
def _kakasi() -> object:
    import pykakasi  # loaded only when Japanese text is seen: it costs ~0.3 s

    return pykakasi.kakasi()


def warm_up() -> None:
    """Load pykakasi's and SudachiPy's dictionaries now (~1 s), not inside the first
    Japanese request."""
    _kakasi().convert("かな")  # type: ignore[attr-defined]
    kanji.readings(("山田",))


@lru_cache(maxsize=100_000)
def _romaji(word: str) -> str:
    """Passport Hepburn of one Japanese word, as one token (pykakasi cuts けんいち in two)."""
    return "".join(p["passport"] for p in _kakasi().convert(word))  # type: ignore[attr-defined]


def _japanese_words(text: str) -> tuple[str, ...]:
    """The written words of a Japanese name, kana folded (``・``, spaces, commas split)."""
    return kana.kana_words(text)


def transliterate(text: str) -> str:
    """Latin-script rendering of ``text`` (see the module docstring for which tool)."""
    text = clean(text)
    if _JAPANESE.search(text):
        text = " ".join(_romaji(w) if _JAPANESE.search(w) else w for w in _japanese_words(text))
    if hangul.has_hangul(text):
        text = hangul.romanise(text)
    return unidecode(text.translate(_SIGNS))


def tokens(name: str) -> tuple[str, ...]:
    """Lower-case Latin tokens of ``name``, in their original order (not yet folded)."""
    return tuple(t for t in _NON_ALNUM.split(transliterate(name).lower()) if t)


def fold(token: str) -> str:
    """The token with romanisation variants folded together (see module docstring)."""
    for pattern, replacement in _FOLDS:
        token = pattern.sub(replacement, token)
    return token


@lru_cache(maxsize=200_000)
def fold_cached(token: str) -> str:
    return fold(token)


def skeleton(folded: str) -> str:
    """Consonant skeleton of a folded token: a blocking key tolerant of vowel typos.

    ``ch`` and ``sh`` share one skeleton: French-style romanisation writes the *sh* sound
    ``ch`` (Bachar/Bashar, Chevardnadze/Shevardnadze, BASHA listed, "Bacha" asked). Only
    the blocking key and the look-alike guard see this; the score still compares the
    letters, so Chen and Shen stay 75 % alike, not the same word."""
    bare = _VOWELS.sub("", folded.replace("ch", "sh"))
    return bare or folded


def normalise(name: str) -> tuple[str, ...]:
    """Folded tokens of ``name``: what the index and the scorer compare."""
    return tuple(fold_cached(t) for t in tokens(name))


def _fold_all(latin: str) -> tuple[str, ...]:
    return tuple(fold_cached(t) for t in _NON_ALNUM.split(unidecode(latin).lower()) if t)


def forms(name: str) -> tuple[tuple[str, ...], ...]:
    """Every folded reading of ``name`` worth comparing, the :func:`normalise` one first.

    One for most names; a name written in kanji adds the dictionary's other readings
    (高山清司: pykakasi's *kozan kiyoshi*, and *takayama seiji*, *takayama kiyoshi*…),
    when it is short enough to be a person's name (``PERSON_HAN_MAX``).
    """
    first = normalise(name)
    text = clean(name)
    if not kana.has_han(text) or len(_HAN.findall(text)) > PERSON_HAN_MAX:
        return (first,)
    out = [first]
    for reading in kanji.readings(_japanese_words(text)):
        folded = _fold_all(" ".join(_romaji(kana.fold_kana(part)) for part in reading))
        if folded and folded not in out:
            out.append(folded)
    return tuple(out)


def kana_only(name: str) -> bool:
    """Written in kana (no kanji, no Latin letters): a foreign name Japanese-style, so
    worth comparing phonetically against Latin-script listed names."""
    text = clean(name)
    return kana.has_kana(text) and not kana.has_han(text) and not re.search(r"[A-Za-z]", text)
