"""Every plausible reading of a kanji name, not only the first one a converter picks.

A kanji name has several readings: 高山清司 is *Takayama Kiyoshi* on OFAC's list, while
pykakasi reads it *Kōzan Kiyoshi* and cutlet (UniDic) *Takayama Seiji*. A screener that
keeps one reading misses the listed one, so we take the readings SudachiPy's dictionary
(``sudachidict-core``, maintained by Works Applications, refreshed every few months; it
installs from PyPI as a wheel, where MeCab/UniDic needs a 250 MB dictionary package for
one best path only) lists for each written part, and let the matcher keep the best:

* each space- or ``・``-separated word is looked up whole (``Dictionary.lookup`` gives
  every entry with that surface: 高山 → タカヤマ, コウザン, コウヤマ; person-name entries
  first);
* a word of three or more characters that is not a person name in the dictionary is
  also cut in two where a surname + given-name cut ranks best (高山清司 → 高山 + 清司);
* each part is read whole and by its characters' readings combined (清 → キヨ/セイ/シン/
  キヨシ, 司 → シ/ツカサ), so 清司 yields キヨシ though the dictionary reads it セイジ only.

The number of readings is capped (``MAX_READINGS``); the matcher pools the candidates of
all readings but the first into one look-up (screening/matcher.py).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import islice, product

from screening.kana import has_han

MAX_READINGS = 8
_PER_PART = 4


@lru_cache(maxsize=1)
def _dictionary() -> object:
    from sudachipy import Dictionary  # loaded on the first kanji name (~50 ms, mmap)

    return Dictionary(dict="core")


@lru_cache(maxsize=50_000)
def _entries(surface: str) -> tuple[tuple[str, str], ...]:
    """(katakana reading, name kind) of every entry spelled ``surface``; kind is ``姓``
    (surname) or ``名`` (given name) for person-name entries, else ``""``; names first."""
    found: list[tuple[str, str]] = []
    for m in _dictionary().lookup(surface):  # type: ignore[attr-defined]
        pos = m.part_of_speech()
        kind = pos[3] if pos[2] == "人名" else ""
        if m.reading_form() and (m.reading_form(), kind) not in found:
            found.append((m.reading_form(), kind))
    return tuple(sorted(found, key=lambda e: e[1] == ""))


def _readings(surface: str) -> list[str]:
    out: list[str] = []
    for reading, _ in _entries(surface):
        if reading not in out:
            out.append(reading)
    return out


def _by_character(part: str) -> list[str]:
    # shortest readings first: a character of a name is mostly read as one or two morae
    per_char = [sorted(_readings(c), key=len)[:3] or [c] for c in part]
    return ["".join(r) for r in islice(product(*per_char), 9)]


def _part(part: str) -> list[str]:
    """Readings of one name part: the dictionary's for the whole part, then its
    characters' readings combined (清司 is only セイジ in the dictionary, キヨ+シ too)."""
    if not has_han(part):
        return [part]
    out = _readings(part)[:_PER_PART]
    if len(part) > 1:
        out += [r for r in _by_character(part) if r not in out]
    return out


def _split_rank(head: str, tail: str) -> int:
    """How much a surname + given-name cut looks like one: 2 points for a surname entry,
    2 for a given-name entry, 1 for any dictionary entry on each side."""
    rank = 0
    for part, kind in ((head, "姓"), (tail, "名")):
        kinds = {k for _, k in _entries(part)}
        rank += 2 if kind in kinds else 1 if kinds else 0
    return rank


def _word(word: str) -> list[tuple[str, ...]]:
    """Readings of one written word, as one or two katakana parts."""
    if not has_han(word) or len(word) < 3 or any(k for _, k in _entries(word)):
        return [(r,) for r in _part(word)]
    # ties go to a two-character surname, the commonest length
    cuts = sorted(range(1, len(word)),
                  key=lambda c: (-_split_rank(word[:c], word[c:]), abs(c - 2)))[:2]
    splits: list[tuple[str, ...]] = []
    for cut in cuts:
        if _split_rank(word[:cut], word[cut:]) >= 2:
            splits += list(product(_part(word[:cut]), _part(word[cut:])))
    return splits + [(r,) for r in _part(word)]


@lru_cache(maxsize=20_000)
def readings(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Up to ``MAX_READINGS`` katakana readings of a name written (partly) in kanji."""
    per_word = [_word(w) for w in words]
    out: list[tuple[str, ...]] = []
    for combo in islice(product(*per_word), MAX_READINGS * 4):
        reading = tuple(p for parts in combo for p in parts)
        if reading not in out:
            out.append(reading)
        if len(out) >= MAX_READINGS:
            break
    return tuple(out)
