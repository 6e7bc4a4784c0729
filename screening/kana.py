"""Japanese kana names brought to one spelling before they are compared.

KYC forms, MOF's list and users write the same foreign name in many kana spellings:
half-width (``ｳﾗｼﾞｰﾐﾙ``), hiragana (``うらじーみる``), with ``ヴ`` or ``ブ``
(``ヴィクトル``/``ビクトル``), with or without the long-vowel mark (``ウラジーミル``/
``ウラジミル``), with small kana (``ヴェ``) or the gemination mark ``ッ``. These are
spellings of one sound, so they are folded to one form on both sides:

* jaconv (pure Python, maintained) does the character-class conversions — half-width →
  full-width kana and hiragana → katakana — which are table look-ups where a hand-written
  table would only risk missing a code point;
* the sound folds are ours (no library folds *spelling* variants of loanwords): the ``ヴ``
  row to the ``バ`` row (the spelling the Agency for Cultural Affairs' 外来語の表記 allows
  for both), ``ー`` and ``ッ`` dropped (the romaniser collapses long vowels and doubled
  consonants anyway), small vowels to their full size, ``ヂ``/``ヅ``/``ヲ`` to ``ジ``/``ズ``/``オ``.

Separators (``・``, ``=``, ``、``, spaces) split words; order is left to the scorer.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jaconv

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEPARATORS = re.compile(r"[\s・･=＝、,，/／]+")
_VU = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴュ", "ビュ"),
       ("ヴ", "ブ"))
_SMALL = str.maketrans({"ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ", "ヮ": "ワ",
                        "ヵ": "カ", "ヶ": "ケ", "ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヰ": "イ",
                        "ヱ": "エ", "ー": None, "ッ": None, "〜": None, "～": None})
# Small ya/yu/yo stay: キャ (kya) is one sound, キヤ (kiya) another.
# Japanese legal forms are written onto the name (株式会社第140修理工場): set apart as
# words of their own, so that the scorer can treat them as it treats "LLC".
LEGAL_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "団体")
_LEGAL = re.compile("(" + "|".join(LEGAL_FORMS) + ")")


def has_kana(text: str) -> bool:
    return _KANA.search(text) is not None


def has_han(text: str) -> bool:
    """Kanji (CJK ideographs): names whose reading must be looked up."""
    return _HAN.search(text) is not None


def to_katakana(text: str) -> str:
    """Full-width katakana for any kana (half-width, hiragana); other characters kept."""
    return jaconv.hira2kata(jaconv.h2z(text, kana=True, ascii=False, digit=False))


@lru_cache(maxsize=100_000)
def fold_kana(word: str) -> str:
    """One spelling for the kana spellings of one sound (see the module docstring)."""
    word = to_katakana(word)
    for variant, plain in _VU:
        word = word.replace(variant, plain)
    return word.translate(_SMALL)


def kana_words(text: str) -> tuple[str, ...]:
    """The folded words of a kana name, split at ``・``, spaces, commas and ``=``."""
    text = _LEGAL.sub(r" \1 ", text)
    return tuple(w for w in (fold_kana(p) for p in _SEPARATORS.split(text)) if w)
