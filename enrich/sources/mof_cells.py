"""What the cells of Japan MOF's asset-freeze list say: notice dates, notice numbers,
names and aliases, dates of birth and crypto-asset addresses.

Every text is NFKC-normalised first: the list mixes full-width and half-width forms
(``（a）``/``(a)``, ``；``/``;``, ``１９４５``/``1945``, ``：``/``:``) within one column, and
NFKC maps all of them to one form without touching kana or kanji. A cell that cannot be
read is reported by the caller with its sheet and row (:class:`CellNote`), never fatal:
MOF's file is typed by hand and holds typos such as ``200812.19改訂``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from txmon.addresses import NormalizedAddress, normalize
from txmon.errors import InvalidAddress

UNKNOWN = "不明"  # "unknown": MOF writes it instead of leaving a cell empty
_DATE_LINE = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})(改訂|削除)?$")
_SAME_AS = re.compile(r"と同一")  # "(same person as 38.)": a note, not a date
_NOTICE = re.compile(r"^([*#]?)(\d+)(?:\(([*#])(\d+)\))?$")
_ENUM = re.compile(r"\((?:[a-z]|i{1,3}|iv|vi{0,3}|ix|x)\)")  # (a) (b) … (i) (ii) …
_AKA = re.compile(r"^\(?\s*(?:a\.k\.a\.?|f\.k\.a\.?)\s*:?\s*", re.IGNORECASE)
_ORIGINAL = re.compile(r"\(?\s*original script\s*:\s*([^)]*)\)?", re.IGNORECASE)
_NOTE_PAREN = re.compile(r"\((?:[^()]*(?:出生|born|formerly|以前|旧|として|生まれ)[^()]*)\)",
                         re.IGNORECASE)
_VARIANT = re.compile(r"([A-Za-z]+)\(([A-Za-z]+)\)")  # "Sergey(Sergei)": a spelling variant
_CRYPTO_LABEL = "暗号資産アドレス:"
_ADDRESS_TOKEN = re.compile(r"^[A-Za-z0-9]{25,}$")
_JA_FULL = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_NUMERIC = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")  # a CSV's 1952/10/7
_JA_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?!\d)")
_YEAR = re.compile(r"(1[89]\d{2}|20\d{2})年?")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def nfkc(value: object) -> str:
    """The cell as one normalised, stripped string ('' for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


@dataclass(frozen=True, slots=True)
class NoticeDates:
    """The ``告示日付`` cell: designated once, amended (``改訂``), removed (``削除``)."""

    designated: dt.date | None = None
    amended: tuple[dt.date, ...] = ()
    removed: dt.date | None = None
    notes: tuple[str, ...] = ()  # annotations such as "(38.と同一人物)"
    problems: tuple[str, ...] = field(default=())  # lines that needed repair or were dropped


def notice_dates(value: object) -> NoticeDates:
    """Parse the date cell; a typo is repaired when only one reading is a valid date."""
    designated: dt.date | None = None
    amended: list[dt.date] = []
    removed: dt.date | None = None
    notes: list[str] = []
    problems: list[str] = []
    for raw in nfkc(value).splitlines():
        line = re.sub(r"\s+", "", raw)
        if not line:
            continue
        if _SAME_AS.search(line):
            notes.append(line)
            continue
        day, mark = _date_line(line)
        if day is None:
            problems.append(f"unreadable notice date {raw.strip()!r}: line dropped")
            continue
        if not _DATE_LINE.match(line):
            problems.append(f"notice date typo {raw.strip()!r} read as {day.isoformat()}")
        if mark == "削除":
            removed = day
        elif mark == "改訂":
            amended.append(day)
        elif designated is None:
            designated = day
        else:
            amended.append(day)  # a second plain date: a re-designation, kept as amended
    return NoticeDates(designated, tuple(amended), removed, tuple(notes), tuple(problems))


def _date_line(line: str) -> tuple[dt.date | None, str]:
    mark = next((m for m in ("改訂", "削除") if line.endswith(m)), "")
    body = line[: len(line) - len(mark)]
    found = _DATE_LINE.match(line)
    if found:
        try:
            return dt.date(*(int(g) for g in found.groups()[:3])), mark
        except ValueError:
            return None, mark
    digits = re.sub(r"\D", "", body)
    if len(digits) < 6 or len(digits) > 8:
        return None, mark
    year, rest = int(digits[:4]), digits[4:]
    readings = set()
    for cut in (1, 2):
        month, day = rest[:cut], rest[cut:]
        if not day or len(day) > 2:
            continue
        try:
            readings.add(dt.date(year, int(month), int(day)))
        except ValueError:
            continue
    return (readings.pop() if len(readings) == 1 else None), mark


@dataclass(frozen=True, slots=True)
class NoticeNumber:
    """``告示番号``: the number, and a cross-reference mark (``*``/``#``) to another sheet."""

    number: str
    mark: str = ""  # * or # before the number itself
    ref_mark: str = ""
    ref_number: str = ""


def notice_number(value: object) -> NoticeNumber | None:
    """``'1'``, ``1``, ``'1(*186)'``, ``'*186'``, ``'#47'``; None when unreadable."""
    text = re.sub(r"\s+", "", nfkc(value))
    found = _NOTICE.match(text)
    if not found:
        return None
    mark, number, ref_mark, ref_number = found.groups()
    return NoticeNumber(number, mark or "", ref_mark or "", ref_number or "")


def names(value: object) -> tuple[str, ...]:
    """Every name a name or alias cell gives, Japanese and English, in order, no repeats.

    The cell is ``(a)…(b)…`` in Japanese, a line break, then ``(a.k.a.: (a)…(b)…)`` in
    English; or names separated by ``;``; or one name per line. ``不明`` gives nothing.
    """
    text = nfkc(value)
    if not text or text == UNKNOWN:
        return ()
    out: list[str] = []
    for line in text.splitlines():
        line = _AKA.sub("", line.strip())
        original = _ORIGINAL.search(line)
        if original:
            out.append(original.group(1))
            line = _ORIGINAL.sub("", line)
        parts = _ENUM.split(line) if _ENUM.search(line) else re.split(r";", line)
        for part in parts:
            out.extend(_variants(_clean_name(part)))
    return tuple(dict.fromkeys(n for n in out if n and n != UNKNOWN))


def _clean_name(part: str) -> str:
    part = _NOTE_PAREN.sub("", part)
    part = part.strip().strip(",、;").strip()
    if part.endswith(")") and part.count(")") > part.count("("):
        part = part[:-1].strip()  # the ")" closing "(a.k.a.: …)"
    return " ".join(part.strip('"“”').split())


def _variants(name: str) -> list[str]:
    """``Sergey(Sergei) AKSYONOV(AKSENOV)`` → the name as written and its variant."""
    if not _VARIANT.search(name):
        return [name] if name else []
    plain = _VARIANT.sub(r"\1", name)
    variant = _VARIANT.sub(r"\2", name)
    return [plain, variant]


def first_line(value: object) -> str:
    """A name cell's own name: its first line (later lines hold the original script)."""
    lines = [ln.strip() for ln in nfkc(value).splitlines() if ln.strip()]
    name = _ORIGINAL.sub("", lines[0]).strip() if lines else ""
    return "" if name == UNKNOWN else " ".join(name.split())


def values(value: object) -> tuple[str, ...]:
    """A multi-valued text cell (places, passports, titles) as its items, ``不明`` dropped."""
    text = nfkc(value)
    if not text or text == UNKNOWN:
        return ()
    parts = _ENUM.split(text) if _ENUM.search(text) else text.splitlines()
    return tuple(dict.fromkeys(" ".join(p.split()).strip(";、 ") for p in parts
                               if p.strip(";、 ") and p.strip() != UNKNOWN))


def dates_of_birth(value: object) -> tuple[str, ...]:
    """DOBs in forms :mod:`screening.dates` reads: ``1952-10-07``, ``Oct 1952``, ``1971``,
    ``circa 1963``, ``circa 1955 to 1958``. An Excel date (a datetime, or the serial number
    MOF leaves in a cell without date format) and a CSV's ``1952/10/7`` become ISO;
    unreadable text is kept as is.
    """
    if isinstance(value, dt.datetime | dt.date):
        return (nfkc(value),)
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel  # openpyxl costs ~90 ms to import

        serial = from_excel(value)
        return (serial.date().isoformat(),) if serial else ()
    out: list[str] = []
    for item in values(value):
        out.extend(_dob_item(item))
    return tuple(dict.fromkeys(out))


def _dob_item(text: str) -> list[str]:
    full = _JA_FULL.findall(text) or _NUMERIC.findall(text)
    if full:
        return [_iso(*f) for f in full if _iso(*f)]
    month = _JA_MONTH.search(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return [f"{_MONTHS[int(month.group(2)) - 1]} {month.group(1)}"]
    years = _YEAR.findall(text)
    if not years:
        return [text]
    approx = "circa " if ("頃" in text or "およそ" in text or "おおよそ" in text) else ""
    if len(years) >= 2 and ("-" in text or "から" in text or "~" in text):
        return [f"{approx}{years[0]} to {years[-1]}"]
    return [f"{approx}{y}" for y in years]


def _iso(year: str, month: str, day: str) -> str:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


@dataclass(frozen=True, slots=True)
class CryptoAddresses:
    """Addresses listed after ``暗号資産アドレス：`` and the tokens that failed validation."""

    found: tuple[NormalizedAddress, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()  # (token, reason)


def crypto_addresses(text: str) -> CryptoAddresses:
    """Every address after the label, separated by ``；`` and line breaks, validated."""
    text = nfkc(text)
    found: list[NormalizedAddress] = []
    rejected: list[tuple[str, str]] = []
    start = text.find(_CRYPTO_LABEL)
    while start >= 0:
        rest = text[start + len(_CRYPTO_LABEL):]
        for token in (t for t in re.split(r"[;\s]+", rest) if t):
            if not _ADDRESS_TOKEN.match(token):
                break  # the next fact ("性別:…") ends the list
            try:
                found.append(normalize(token))
            except InvalidAddress as exc:
                rejected.append((token, str(exc)))
        start = text.find(_CRYPTO_LABEL, start + 1)
    return CryptoAddresses(tuple(dict.fromkeys(found)), tuple(rejected))
