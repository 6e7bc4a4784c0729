"""Address normalisation: the one place that decides what an address string is.

Every component (list loaders, ingest, the tag store, the hot-path index, the CLI)
calls :func:`normalize`, so that ``0xABC…`` from a sanctions list and ``0xabc…`` from a
node are the same key. The chain family is decided from the address itself, never from
the ticker a list filed it under: OFAC files TRON and Omni addresses under ``USDT`` and
one TRON address under ``XBT``.

Families:

* ``evm``     — ``0x`` + 40 hex, lowercased; mixed case must be a valid EIP-55 checksum.
* ``bitcoin`` — base58check P2PKH/P2SH (main/testnet) and segwit v0 (bech32) / v1+
  (bech32m), bech32 lowercased. Bitcoin Cash and SV legacy addresses share this format
  and so land here too: the same string is the same key holder on every fork.
* ``tron``    — base58check with version byte 0x41 (``T…``).
* ``other``   — a different coin whose checksum we could verify (Litecoin, Dash, Zcash
  transparent, Bitcoin Gold, Verge, XRP, Bitcoin Cash CashAddr, Litecoin segwit).
* ``unknown`` — a format we cannot verify (Monero, 32-byte hex accounts, …): kept
  verbatim (hex lowercased), never dropped.

A string that has the shape of a checksummed format we know (``0x…``, ``bc1…``, a
Bitcoin/TRON-style base58 string) but fails its checksum raises
:class:`~txmon.errors.InvalidAddress`: it is a typo or a cut fragment, not an address.

Look-alike forms that can be read one way only are read that way, so that they find
the listed key: non-ASCII input is first folded by :func:`txmon.textnorm.clean`
(full-width ``０ｘｄｃ…`` → ``0xdc…``, zero-width characters removed), and 40 hex
digits without ``0x`` are an EVM account (no other format we know has that layout;
mixed case must still be a valid EIP-55 checksum).
"""

from __future__ import annotations

from dataclasses import dataclass

from txmon.addresses.base58 import decode_base58check, decode_ripple, is_base58
from txmon.addresses.bech32 import decode_segwit
from txmon.addresses.cashaddr import decode_cashaddr
from txmon.addresses.networks import NETWORKS
from txmon.errors import InvalidAddress
from txmon.textnorm import clean

EVM, BITCOIN, TRON, OTHER, UNKNOWN = "evm", "bitcoin", "tron", "other", "unknown"
VERIFIED_FAMILIES = frozenset({EVM, BITCOIN, TRON, OTHER})

# base58check version byte -> (family, kind, network) for 20-byte payloads, and segwit
# hrp -> network: read from the Bitcoin network table ingest uses (the first network
# wins where two share a prefix: signet addresses read as testnet, as they always have).
_BASE58_VERSIONS: dict[int, tuple[str, str, str]] = {0x41: (TRON, "account", "mainnet")}
_SEGWIT_HRPS: dict[str, str] = {}
for _net in NETWORKS.values():
    _BASE58_VERSIONS.setdefault(_net.p2pkh_version, (BITCOIN, "p2pkh", _net.name))
    _BASE58_VERSIONS.setdefault(_net.p2sh_version, (BITCOIN, "p2sh", _net.name))
    _SEGWIT_HRPS.setdefault(_net.hrp, _net.name)
_OTHER_SEGWIT_HRPS = frozenset({"ltc", "tltc"})
# First characters of base58 strings that claim to be Bitcoin or TRON addresses.
_STRICT_BASE58_FIRST = frozenset("13mn2T")
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    """An address in canonical form with the family and script kind it was decoded as."""

    chain_family: str
    address: str
    kind: str
    network: str = "mainnet"

    @property
    def verified(self) -> bool:
        """True when a checksum or fixed layout proved this is a complete address."""
        return self.chain_family in VERIFIED_FAMILIES


def normalize(raw: str) -> NormalizedAddress:
    """Canonical form of ``raw``; raises InvalidAddress for a broken checksummed string."""
    text = raw.strip() if raw.isascii() else clean(raw)
    if not text:
        raise InvalidAddress("empty address")
    if text[:2] in ("0x", "0X"):
        return _evm(text)
    if len(text) == 40 and set(text) <= _HEX and decode_segwit(text) is None:
        return _evm("0x" + text)  # the EVM layout without its prefix
    for decoder in (_segwit, _base58, _cashaddr, _ripple):
        found = decoder(text)
        if found is not None:
            return found
    if _looks_strict_base58(text):
        raise InvalidAddress(f"base58check checksum fails: {text!r}")
    return NormalizedAddress(UNKNOWN, text, "unverified")


def normalize_or_none(raw: str) -> NormalizedAddress | None:
    """Like :func:`normalize` but returns None instead of raising (for hot paths)."""
    try:
        return normalize(raw)
    except InvalidAddress:
        return None


def _evm(text: str) -> NormalizedAddress:
    body = text[2:]
    if len(body) == 64 and set(body) <= _HEX:
        # 32-byte hex accounts (Aptos, Sui, Starknet…): no checksum to verify.
        return NormalizedAddress(UNKNOWN, "0x" + body.lower(), "hex32")
    if len(body) != 40 or not set(body) <= _HEX:
        raise InvalidAddress(f"not a 20-byte hex EVM address: {text!r}")
    lower = "0x" + body.lower()
    if body != body.lower() and body != body.upper() and _eip55(lower) != text:
        raise InvalidAddress(f"EIP-55 checksum fails: {text!r}")
    return NormalizedAddress(EVM, lower, "account")


def _segwit(text: str) -> NormalizedAddress | None:
    hrp = text.lower().rpartition("1")[0]
    if hrp not in _SEGWIT_HRPS and hrp not in _OTHER_SEGWIT_HRPS:
        return None
    decoded = decode_segwit(text)
    if decoded is None:
        raise InvalidAddress(f"bech32/bech32m checksum or layout fails: {text!r}")
    kind = _segwit_kind(decoded.version, len(decoded.program))
    if hrp in _OTHER_SEGWIT_HRPS:
        return NormalizedAddress(OTHER, text.lower(), kind, "litecoin")
    return NormalizedAddress(BITCOIN, text.lower(), kind, _SEGWIT_HRPS[hrp])


def _segwit_kind(version: int, length: int) -> str:
    if version == 0:
        return "p2wpkh" if length == 20 else "p2wsh"
    if version == 1 and length == 32:
        return "p2tr"
    return f"witness_v{version}"


def _base58(text: str) -> NormalizedAddress | None:
    if not 25 <= len(text) <= 36:
        return None
    decoded = decode_base58check(text)
    if decoded is None:
        return None
    known = _BASE58_VERSIONS.get(decoded.version)
    if known is not None and len(decoded.data) == 20:
        family, kind, network = known
        return NormalizedAddress(family, text, kind, network)
    return NormalizedAddress(OTHER, text, "base58check", f"version-{decoded.version:#04x}")


def _cashaddr(text: str) -> NormalizedAddress | None:
    if decode_cashaddr(text) is None:
        return None
    bare = text.lower().rpartition(":")[2]
    return NormalizedAddress(OTHER, bare, "cashaddr", "bitcoincash")


def _ripple(text: str) -> NormalizedAddress | None:
    if not text.startswith("r") or not 25 <= len(text) <= 35:
        return None
    decoded = decode_ripple(text)
    if decoded is None or decoded.version != 0 or len(decoded.data) != 20:
        return None
    return NormalizedAddress(OTHER, text, "xrp", "xrpl")


def _looks_strict_base58(text: str) -> bool:
    """A Bitcoin/TRON-shaped base58 string: failing its checksum means it is broken."""
    return 26 <= len(text) <= 35 and text[0] in _STRICT_BASE58_FIRST and is_base58(text)


def _eip55(lower: str) -> str:
    """EIP-55 checksum form; eth_utils is imported here, not at module load, because it
    costs ~0.25 s of start-up that a one-off ``txmon screen`` of a Bitcoin address or a
    lower-case address never needs."""
    from eth_utils import to_checksum_address

    return str(to_checksum_address(lower))
