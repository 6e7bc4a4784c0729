"""Bech32 (BIP-173) and Bech32m (BIP-350) segwit addresses, the one implementation:
ingest encodes outputs with it, :mod:`txmon.addresses.normal` classifies list entries with it.

Hand-written because python-bitcoinlib 0.12 only knows Bech32 (its ``CBitcoinAddress``
rejects ``bc1p…`` taproot addresses) and the ``bech32`` package on PyPI predates BIP-350.
This follows the BIP's reference code; the checksum loop uses a 32-entry table instead
of the reference's inner bit loop because every segwit output of every block goes
through it. Tested with the BIP-173 and BIP-350 test vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cache, lru_cache

from txmon.errors import InvalidAddress

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHAR_VALUE = {c: i for i, c in enumerate(CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _generator_mix(top: int) -> int:
    """XOR of the generators selected by the 5 bits of ``top`` (the reference's inner loop)."""
    mixed = 0
    for i, gen in enumerate(_GENERATOR):
        if (top >> i) & 1:
            mixed ^= gen
    return mixed


def _step(chk: int) -> int:
    return ((chk & 0x1FFFFFF) << 5) ^ _generator_mix(chk >> 25)


_TOP = tuple(_generator_mix(t) for t in range(32))


@cache
def _triple_tables() -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Tables to consume three 5-bit groups per step (built on first use, ~1 MB).

    The checksum step is linear over GF(2), so three steps at once are
    ``((chk & 0x7FFF) << 15) ^ TOP3[chk >> 15] ^ (g1 << 10 | g2 << 5 | g3)``.
    """
    top3 = tuple(_step(_step(_step(t << 15))) for t in range(32768))
    chars3 = tuple(a + b + c for a in CHARSET for b in CHARSET for c in CHARSET)
    return top3, chars3


class Encoding(IntEnum):
    """The checksum constant that distinguishes the two encodings."""

    BECH32 = 1
    BECH32M = 0x2BC830A3


def _polymod(values: list[int] | tuple[int, ...], chk: int = 1) -> int:
    top = _TOP
    for value in values:
        chk = ((chk & 0x1FFFFFF) << 5) ^ value ^ top[chk >> 25]
    return chk


@lru_cache(maxsize=16)
def _hrp_state(hrp: str) -> int:
    """Checksum state after the expanded HRP: computed once per network, not per address."""
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _polymod(expanded)


def bech32_encode(hrp: str, data: list[int], encoding: Encoding) -> str:
    """Encode 5-bit ``data`` under ``hrp`` with the checksum of ``encoding``."""
    polymod = _polymod([*data, 0, 0, 0, 0, 0, 0], _hrp_state(hrp)) ^ encoding
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join([CHARSET[d] for d in [*data, *checksum]])


def bech32_decode(text: str) -> tuple[str, list[int], Encoding]:
    """Split and verify a Bech32/Bech32m string: (hrp, 5-bit data without checksum, encoding)."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise InvalidAddress(f"bech32: character out of range in {text!r}")
    if text.lower() != text and text.upper() != text:
        raise InvalidAddress(f"bech32: mixed case in {text!r}")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        raise InvalidAddress(f"bech32: bad separator position or length in {text!r}")
    hrp = text[:pos]
    try:
        data = [_CHAR_VALUE[c] for c in text[pos + 1 :]]
    except KeyError as exc:
        raise InvalidAddress(f"bech32: invalid character {exc.args[0]!r}") from None
    const = _polymod(data, _hrp_state(hrp))
    if const not in (Encoding.BECH32, Encoding.BECH32M):
        raise InvalidAddress(f"bech32: checksum mismatch in {text!r}")
    return hrp, data[:-6], Encoding(const)


def from_5bit(data: list[int]) -> bytes:
    """5-bit groups → bytes; padding must be < 5 bits and zero (BIP-173 ``convertbits``)."""
    acc = 0
    for value in data:
        acc = (acc << 5) | value
    bits = len(data) * 5
    pad = bits % 8
    if pad >= 5 or acc & ((1 << pad) - 1):
        raise InvalidAddress("bech32: invalid padding")
    return (acc >> pad).to_bytes(bits // 8, "big")


def encode_segwit_address(hrp: str, version: int, program: bytes) -> str:
    """Segwit address of a witness program: Bech32 for v0, Bech32m for v1+ (BIP-350).

    Same result as ``bech32_encode(hrp, [version, *convertbits(program)], …)``, but the
    version and program are read as one integer whose 15-bit fields are triples of 5-bit
    groups, so the checksum and the text take a third of the Python-level steps (this runs
    for every segwit output of every block).
    """
    top3, chars3 = _triple_tables()
    bits = len(program) * 8
    pad = -bits % 5
    groups = (bits + pad) // 5 + 1  # the version group, then the program's groups
    number = (version << (bits + pad)) | (int.from_bytes(program, "big") << pad)
    chk = _hrp_state(hrp)
    head = []
    for i in range(groups % 3):  # lone groups first, so that the rest come in triples
        group = (number >> (5 * (groups - 1 - i))) & 31
        chk = ((chk & 0x1FFFFFF) << 5) ^ group ^ _TOP[chk >> 25]
        head.append(CHARSET[group])
    groups -= groups % 3
    triples = [(number >> shift) & 32767 for shift in range(5 * groups - 15, -15, -15)]
    for triple in (*triples, 0, 0):  # two zero triples = the six checksum placeholders
        chk = ((chk & 0x7FFF) << 15) ^ triple ^ top3[chk >> 15]
    chk ^= Encoding.BECH32 if version == 0 else Encoding.BECH32M
    triples += (chk >> 15, chk & 32767)
    return hrp + "1" + "".join(head) + "".join([chars3[t] for t in triples])


def decode_segwit_address(hrp: str, address: str) -> tuple[int, bytes]:
    """(witness version, program) of ``address``; raises InvalidAddress on any violation."""
    got_hrp, data, encoding = bech32_decode(address)
    if got_hrp != hrp:
        raise InvalidAddress(f"segwit: expected hrp {hrp!r}, got {got_hrp!r}")
    if not data or data[0] > 16:
        raise InvalidAddress(f"segwit: invalid witness version in {address!r}")
    version, program = data[0], from_5bit(data[1:])
    if not 2 <= len(program) <= 40:
        raise InvalidAddress(f"segwit: invalid program length {len(program)}")
    if version == 0 and len(program) not in (20, 32):
        raise InvalidAddress(f"segwit: invalid v0 program length {len(program)}")
    expected = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    if encoding is not expected:
        raise InvalidAddress(f"segwit: v{version} must use {expected.name}")
    return version, program


@dataclass(frozen=True, slots=True)
class SegwitPayload:
    """A decoded segwit address: human-readable part, witness version and program."""

    hrp: str
    version: int
    program: bytes


def decode_segwit(text: str) -> SegwitPayload | None:
    """Decode a segwit address of any hrp, or None when it is not one (checksum included)."""
    try:
        hrp = bech32_decode(text)[0]
        version, program = decode_segwit_address(hrp, text)
    except InvalidAddress:
        return None
    return SegwitPayload(hrp, version, program)
