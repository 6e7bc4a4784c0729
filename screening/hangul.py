"""Korean names in Hangul, romanised as the sanctions lists spell North Korean names.

hangul-romanize (Revised Romanization, syllable by syllable; pure Python) reads the
syllables — 김정은 → ``gim jeong eun``. The lists spell DPRK names in the
McCune–Reischauer-like style of Pyongyang's own Latin texts (``KIM Jong Un``, ``PAK Pong
Ju``, ``RI Pyong Chol``, ``CHOE Ryong Hae``), which differs from RR in a few regular ways
that we fold per syllable (no library offers that style): a plain stop starting the
surname or the given name (the first two syllables) is voiceless (g/b/d → k/p/t: PAK
Pong Ju, KIM Tok Hun) and stays voiced later (RI Son Gwon), ㄹ starting a syllable is
``r``, a final ㄱ is ``k``, ``eo``/``eu`` are ``o``/``u``, and the surname 이 is ``Ri``.
One syllable per token: the scorer also compares the tokens written together
(``Jong Un`` = ``Jongun``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from hangul_romanize import Transliter
from hangul_romanize.rule import academic

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_TRANSLITER = Transliter(academic)
_INITIAL = {"g": "k", "b": "p", "d": "t", "l": "r"}


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


@lru_cache(maxsize=4096)
def _syllable(syllable: str, position: int) -> str:
    latin = _TRANSLITER.translit(syllable)
    if position == 0 and latin == "i":
        return "ri"  # 이: Ri in the DPRK's spelling, the lists' own
    if latin[:1] == "l" or (position < 2 and latin[:1] in _INITIAL):
        latin = _INITIAL[latin[0]] + latin[1:]
    if latin.endswith("g") and not latin.endswith("ng"):
        latin = latin[:-1] + "k"
    return latin.replace("eo", "o").replace("eu", "u")


def romanise(text: str) -> str:
    """``text`` with every Hangul word turned into space-separated Latin syllables."""
    out = []
    for word in text.split():
        if has_hangul(word):
            word = " ".join(_syllable(s, i) if _HANGUL.match(s) else s
                            for i, s in enumerate(word))
        out.append(word)
    return " ".join(out)
