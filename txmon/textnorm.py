"""Folding text to what a reader sees, before anything is compared with a list.

An attacker (or a copy-paste) can make one string look like another: full-width forms
(``０ｘ`` for ``0x``), compatibility characters (``ﬁ``), invisible format characters
inside a word (``Ro<U+200B>man``), odd spaces. :func:`clean` maps all of these to the
string a person reading the screen would type:

1. remove invisible characters — Unicode category ``Cf`` (zero-width space/joiners,
   word joiner, BOM, soft hyphen, bidi controls, tags), the other *default ignorable*
   code points (variation selectors, Hangul fillers, combining grapheme joiner) and
   control characters that are not whitespace;
2. NFKC (compatibility composition: full-width → ASCII, ligatures split, ``ｶ`` → ``カ``);
3. every run of whitespace (any Unicode space, tab, newline) → one space, ends stripped.

Both the address normaliser and the name matcher call it, so an address or a name means
the same on every surface. Homoglyphs of another script (Cyrillic ``а`` for Latin ``a``)
are *not* folded here: NFKC keeps them, and guessing is the caller's decision.
"""

from __future__ import annotations

import unicodedata

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) outside category Cf.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)
_IGNORABLE = frozenset(chr(c) for lo, hi in _IGNORABLE_RANGES for c in range(lo, hi + 1))


def is_invisible(char: str) -> bool:
    """True for a character that renders as nothing (removed by :func:`clean`)."""
    if char in _IGNORABLE:
        return True
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and not char.isspace())


def clean(text: str) -> str:
    """``text`` as a reader sees it: invisible characters removed, NFKC, spaces folded."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())  # the common case: nothing to remove or compose
    visible = "".join(c for c in text if not is_invisible(c))
    return " ".join(unicodedata.normalize("NFKC", visible).split())
