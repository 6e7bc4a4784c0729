"""Base58Check, the one implementation: Bitcoin legacy addresses (P2PKH, P2SH), TRON,
the altcoins that share the format, and XRP Ledger (the same code under another alphabet).

Hand-written rather than ``bitcoin.base58``: that one parses the bytes back from a hex
string and emits one digit per big-integer division; this one divides by 58² and emits
two digits at a time, which matters because every legacy output of every block is encoded.
Ingest encodes with it, :mod:`txmon.addresses.normal` decodes with it, so the two can
never disagree about what a valid string is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from txmon.errors import InvalidAddress

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_PAIRS = tuple(a + b for a in ALPHABET for b in ALPHABET)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
RIPPLE_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_RIPPLE_TO_BITCOIN = str.maketrans(RIPPLE_ALPHABET, ALPHABET)


@dataclass(frozen=True, slots=True)
class Base58Payload:
    """A base58check string's first byte and the bytes after it (checksum removed)."""

    version: int
    data: bytes


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58encode(data: bytes) -> str:
    """Base58 text of ``data``; each leading zero byte becomes a leading ``1``."""
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number >= 3364:
        number, rest = divmod(number, 3364)
        digits.append(_PAIRS[rest])
    head = "" if number == 0 else (_PAIRS[number] if number >= 58 else ALPHABET[number])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + head + "".join(reversed(digits))


def b58check_encode(version: int, payload: bytes) -> str:
    """Address text of ``payload`` (a 20-byte hash) under a one-byte ``version``."""
    data = bytes((version,)) + payload
    return b58encode(data + _checksum(data))


def b58check_decode(text: str) -> tuple[int, bytes]:
    """(version, payload) of a Base58Check string; raises InvalidAddress if malformed."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _VALUE[char]
        except KeyError:
            raise InvalidAddress(f"base58: invalid character {char!r} in {text!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    data = b"\0" * zeros + body
    if len(data) < 5 or _checksum(data[:-4]) != data[-4:]:
        raise InvalidAddress(f"base58: bad checksum or length in {text!r}")
    return data[0], data[1:-4]


def is_base58(text: str) -> bool:
    """True if every character is in the Bitcoin base58 alphabet."""
    return bool(text) and all(c in _VALUE for c in text)


def decode_base58check(text: str) -> Base58Payload | None:
    """Like :func:`b58check_decode` but None instead of raising (classification)."""
    if not is_base58(text):
        return None
    try:
        version, data = b58check_decode(text)
    except InvalidAddress:
        return None
    return Base58Payload(version, data)


def decode_ripple(text: str) -> Base58Payload | None:
    """Decode an XRP Ledger classic address (base58check in Ripple's alphabet)."""
    if not text or any(c not in RIPPLE_ALPHABET for c in text):
        return None
    return decode_base58check(text.translate(_RIPPLE_TO_BITCOIN))
