"""Text folded to what a reader sees: invisible characters out, NFKC, spaces folded."""

from __future__ import annotations

import pytest

from txmon.textnorm import clean, is_invisible


@pytest.mark.parametrize(("raw", "seen"), [
    ("Roman Semenov", "Roman Semenov"),  # ASCII: unchanged
    ("  Roman \t\n Semenov ", "Roman Semenov"),
    ("Ro\u200bman Se\u200cme\u200dnov", "Roman Semenov"),  # zero-width space / (non-)joiner
    ("Ro\u2060man\ufeff Se\u00admenov", "Roman Semenov"),  # word joiner, BOM, soft hyphen
    ("\u202eRoman\u202c Semenov\u2066", "Roman Semenov"),  # bidi controls
    ("Roman\ufe0f Semenov\U000e0041", "Roman Semenov"),  # variation selector, tag
    ("Roman\u3164 Semenov\u034f", "Roman Semenov"),  # Hangul filler, grapheme joiner
    ("Roman\x00 Semenov\x7f", "Roman Semenov"),  # control characters
    ("Ｒｏｍａｎ　Ｓｅｍｅｎｏｖ", "Roman Semenov"),  # full-width letters, ideographic space
    ("Roman\u00a0\u2003Semenov", "Roman Semenov"),  # no-break and em spaces
    ("０ｘＤＣ", "0xDC"),
    ("ﬁnance", "finance"),  # ligature
    ("Роман", "Роман"),  # another script is not a look-alike to fold
])
def test_clean(raw: str, seen: str) -> None:
    assert clean(raw) == seen


def test_invisible_is_category_cf_and_default_ignorables() -> None:
    assert all(map(is_invisible, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\ufe00"))
    assert not any(map(is_invisible, "a 1\t\u3000я"))
