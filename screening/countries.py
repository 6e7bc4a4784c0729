"""Country names as lists publish them ("Russia", "Korea, North", "1) Saudi Arabia 2) Qatar",
"IRQ") → ISO 3166-1 alpha-2 codes, via pycountry's maintained table.

A handful of list spellings that ISO does not carry are added in ``_EXTRA`` (each one
seen in the OFAC, UK or UN files); a name nobody recognises yields no code, which makes
nationality "unknown" rather than "different".

The UK list writes nationalities as demonyms ("Indonesian", "Iraqi", "Afghan"). pycountry
has no demonyms, so a word not found as a name is tried without the usual English suffixes
(-n, -an, -ian, -i, -ese; -a/-istan restored) against the same table, and the irregular
ones seen in the lists are in ``_DEMONYMS``. A demonym that still maps to nothing stays
"unknown": it never rules a party out.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

_EXTRA = {
    "russia": "RU", "north korea": "KP", "korea north": "KP", "south korea": "KR",
    "korea south": "KR", "iran": "IR", "syria": "SY", "democratic republic of the congo": "CD",
    "congo democratic republic of the": "CD", "republic of the congo": "CG", "laos": "LA",
    "vietnam": "VN", "viet nam": "VN", "burma": "MM", "tanzania": "TZ", "venezuela": "VE",
    "bolivia": "BO", "moldova": "MD", "palestinian": "PS", "gaza": "PS", "west bank": "PS",
    "kosovo": "XK", "turkey": "TR", "ivory coast": "CI", "cote d ivoire": "CI", "uk": "GB",
    "united kingdom": "GB", "usa": "US", "united states": "US", "soviet union": "SU",
    "libyan arab jamahiriya": "LY", "dprk": "KP",
}
_DEMONYMS = {
    "chinese": "CN", "filipino": "PH", "filipina": "PH", "german": "DE", "french": "FR",
    "british": "GB", "norwegian": "NO", "moroccan": "MA", "swiss": "CH", "dutch": "NL",
    "belgian": "BE", "lebanese": "LB", "turkish": "TR", "iranian": "IR", "syrian": "SY",
    "russian": "RU", "north korean": "KP", "south korean": "KR", "congolese": "CD",
    "emirati": "AE", "saudi": "SA", "american": "US", "ukrainian": "UA", "belarusian": "BY",
}
# "Possibly Ethiopian", "Iranian citizenship": the qualifier is not part of the country.
_QUALIFIERS = ("possibly ", "probably ", "reportedly ")
_SUFFIXES = ("", "n", "an", "ian", "i", "ese")
_SPLIT = re.compile(r"\d\)|;|/|\band\b|\(.*?\)")
_CLEAN = re.compile(r"[^a-z ]+")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3", "alpha_2"):
            value = getattr(c, attr, None)
            if value:
                table[_key(value)] = c.alpha_2
    table.update(_EXTRA)
    return table


def _lookup(key: str) -> str | None:
    """The code of one folded country name or demonym (``None`` when not recognised)."""
    table = _table()
    for prefix in _QUALIFIERS:
        key = key.removeprefix(prefix)
    key = key.removesuffix(" citizenship").removesuffix(" national").removeprefix("the ")
    code = table.get(key) or _DEMONYMS.get(key)
    if code or len(key) < 4:
        return code
    for suffix in _SUFFIXES[1:]:
        stem = key.removesuffix(suffix)
        if stem != key and len(stem) >= 3:
            code = table.get(stem) or table.get(stem + "a") or table.get(stem + "istan")
            if code:
                return code
    return table.get(key + "a") or table.get(key + "istan")  # Somali, Afghan


def _key(text: str) -> str:
    return " ".join(_CLEAN.sub(" ", text.lower()).split())


@lru_cache(maxsize=4096)
def codes(text: str) -> frozenset[str]:
    """Alpha-2 codes named in ``text`` (empty when none is recognised)."""
    out: set[str] = set()
    for part in _SPLIT.split(text):
        key = _key(part)
        if not key:
            continue
        code = _lookup(key)
        if code is None and "," in part:  # "Korea, North" → "north korea"
            head, _, tail = part.partition(",")
            code = _lookup(_key(f"{tail} {head}"))
        if code:
            out.add(code)
    return frozenset(out)


def codes_of(values: tuple[str, ...]) -> frozenset[str]:
    """Union of :func:`codes` over several published values."""
    return frozenset(code for value in values for code in codes(value))


@lru_cache(maxsize=1)
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


def is_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code (or ``XK``, Kosovo, which the lists use)."""
    return code.upper() in _alpha2()
