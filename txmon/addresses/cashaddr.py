"""CashAddr (Bitcoin Cash): verification only, so that a listed ``bitcoincash:q…`` address
is recognised as a checksummed address of another coin rather than kept unverified.

Hand-written because CashAddr has its own 40-bit checksum and no maintained Python
library; the reference polymod from the CashAddr spec is ten lines. The alphabet and the
5-to-8-bit regrouping are bech32's (:mod:`txmon.addresses.bech32`).
"""

from __future__ import annotations

from txmon.addresses.bech32 import CHARSET, from_5bit
from txmon.errors import InvalidAddress


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
    try:
        return from_5bit(values[:-8])
    except InvalidAddress:
        return None
