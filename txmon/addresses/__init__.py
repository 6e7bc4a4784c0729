"""Addresses, the kernel's one registry of what an address is: codecs, networks, normal form.

* :mod:`~txmon.addresses.normal` — :func:`normalize`, the one normal form (families,
  checksums, look-alike folding); every loader, ingest, the CLI and screening call it.
* :mod:`~txmon.addresses.keys` — the hot-path key derived from that normal form.
* :mod:`~txmon.addresses.base58`, :mod:`~txmon.addresses.bech32`,
  :mod:`~txmon.addresses.cashaddr` — the only codecs (ingest encodes, normal decodes).
* :mod:`~txmon.addresses.networks` — Bitcoin network parameters, the only table.

A kernel package: it imports no stage, so the chain registry (:mod:`txmon.chains`),
the transfer schema and every stage can use it.
"""

from txmon.addresses.keys import Key, index_key, key_address, key_text
from txmon.addresses.normal import (
    BITCOIN,
    EVM,
    OTHER,
    TRON,
    UNKNOWN,
    VERIFIED_FAMILIES,
    NormalizedAddress,
    normalize,
    normalize_or_none,
)

__all__ = [
    "BITCOIN", "EVM", "OTHER", "TRON", "UNKNOWN", "VERIFIED_FAMILIES", "Key",
    "NormalizedAddress", "index_key", "key_address", "key_text", "normalize",
    "normalize_or_none",
]
