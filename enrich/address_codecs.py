"""Checksummed address encodings: base58check, segwit bech32/bech32m, CashAddr.

Each decoder returns the decoded payload or ``None`` when the string is not a valid
instance of its encoding (checksum included); classification into chains lives in
:mod:`enrich.addresses`.

Why some of this is hand-written: python-bitcoinlib (already a dependency) supplies
base58 and the BIP-173 polymod, but it has no bech32m (BIP-350) constant, so taproot
addresses would be rejected; the ``bech32`` PyPI package (1.2.0, 2020) predates
BIP-350 too. We reuse bitcoinlib's primitives and add the few lines BIP-350 needs.
CashAddr (Bitcoin Cash) has its own 40-bit checksum with no maintained Python
library; the reference polymod from the CashAddr spec is ten lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from bitcoin.base58 import Base58ChecksumError, CBase58Data, InvalidBase58Error
from bitcoin.segwit_addr import CHARSET, bech32_hrp_expand, bech32_polymod, convertbits

BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
RIPPLE_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_RIPPLE_TO_BITCOIN = str.maketrans(RIPPLE_ALPHABET, BASE58_ALPHABET)


@dataclass(frozen=True, slots=True)
class Base58Payload:
    """A base58check string's first byte and the bytes after it (checksum removed)."""

    version: int
    data: bytes


@dataclass(frozen=True, slots=True)
class SegwitPayload:
    """A decoded segwit address: human-readable part, witness version and program."""

    hrp: str
    version: int
    program: bytes


def is_base58(text: str) -> bool:
    """True if every character is in the Bitcoin base58 alphabet."""
    return bool(text) and all(c in BASE58_ALPHABET for c in text)


def decode_base58check(text: str) -> Base58Payload | None:
    """Decode Bitcoin-alphabet base58check (double-SHA256 checksum) or return None."""
    if not is_base58(text):
        return None
    try:
        decoded = CBase58Data(text)
    except (Base58ChecksumError, InvalidBase58Error, IndexError, ValueError):
        return None
    return Base58Payload(decoded.nVersion, bytes(decoded))


def decode_ripple(text: str) -> Base58Payload | None:
    """Decode an XRP Ledger classic address (base58check in Ripple's alphabet)."""
    if not text or any(c not in RIPPLE_ALPHABET for c in text):
        return None
    return decode_base58check(text.translate(_RIPPLE_TO_BITCOIN))


def decode_segwit(text: str) -> SegwitPayload | None:
    """Decode a segwit address per BIP-173 (v0, bech32) and BIP-350 (v1+, bech32m)."""
    if len(text) > 90 or (text.lower() != text and text.upper() != text):
        return None
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or any(c not in CHARSET for c in text[pos + 1 :]):
        return None
    hrp, data = text[:pos], [CHARSET.find(c) for c in text[pos + 1 :]]
    const = bech32_polymod(bech32_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST) or len(data) < 7:
        return None
    version, words = data[0], data[1:-6]
    program = convertbits(words, 5, 8, False)
    if version > 16 or program is None or not 2 <= len(program) <= 40:
        return None
    if version == 0 and (len(program) not in (20, 32) or const != BECH32_CONST):
        return None
    if version > 0 and const != BECH32M_CONST:
        return None
    return SegwitPayload(hrp, version, bytes(program))


def _cashaddr_polymod(values: list[int]) -> int:
    generators = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
    checksum = 1
    for value in values:
        top = checksum >> 35
        checksum = ((checksum & 0x07FFFFFFFF) << 5) ^ value
        for i, gen in enumerate(generators):
            if (top >> i) & 1:
                checksum ^= gen
    return checksum ^ 1


def decode_cashaddr(text: str, prefix: str = "bitcoincash") -> bytes | None:
    """Verify a CashAddr string (with or without ``bitcoincash:``); payload or None."""
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    if ":" in text:
        prefix, _, text = text.partition(":")
    if not 42 <= len(text) <= 112 or any(c not in CHARSET for c in text):
        return None
    values = [CHARSET.find(c) for c in text]
    if _cashaddr_polymod([ord(c) & 0x1F for c in prefix] + [0] + values) != 0:
        return None
    payload = convertbits(values[:-8], 5, 8, False)
    return None if payload is None else bytes(payload)
