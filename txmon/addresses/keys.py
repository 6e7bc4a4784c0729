"""Keys of addresses already in normal form: the hot-path index key and its text.

:func:`txmon.addresses.normalize` decides what an address is (checksums, families,
look-alikes) and costs microseconds; the engine looks up two or more addresses per
transfer and stores history per address, so it cannot call it on every record. What it
needs is a key that two spellings of one address share. Ingest emits addresses in normal
form and list loaders store them in normal form, so the only spellings left to fold are
the case of the two case-insensitive encodings (EVM hex and bech32): :func:`index_key` is
that fold, and ``key_text(normalize(a).address) == normalize(a).address`` for every
address ``normalize`` accepts (tests/unit/enrich/test_addresses.py). It verifies nothing:
a string that is no address is its own key.
"""

from __future__ import annotations

Key = bytes | str
_BECH32_PREFIXES = ("bc1", "tb1", "bcrt1", "ltc1")


def index_key(address: str) -> Key:
    """Dict key of an address: the 20 raw bytes of an EVM address, else the folded text.

    Bytes because a million EVM keys then cost 53 bytes each instead of 83 (enrich/index.py).
    """
    if len(address) == 42 and address[0] == "0" and address[1] in "xX":
        try:
            return bytes.fromhex(address[2:])
        except ValueError:
            return address
    lowered = address.lower()
    if lowered.startswith(_BECH32_PREFIXES):
        return lowered
    return address


def key_address(key: Key) -> str:
    """The address text of an index key (the normal form)."""
    return "0x" + key.hex() if isinstance(key, bytes) else key


def key_text(address: str) -> str:
    """The normal form of an address already normalised once, in any case: history keys."""
    return key_address(index_key(address))
