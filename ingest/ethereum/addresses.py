"""Ethereum addresses as ingest emits them: lowercase ``0x`` + 40 hex digits.

The rule itself lives in one place for the whole project, :func:`txmon.addresses.normalize`
(the tag store and the sanctions loaders use the same function, so an address from a node
and the same address from a list are the same key). Ingest adds two things: only the EVM
family is accepted (a 32-byte hex string is not an Ethereum account), and an LRU cache,
because the same few thousand addresses (tokens, routers, exchanges) recur in every block
and replay normalises two addresses per transfer.
"""

from __future__ import annotations

from functools import lru_cache

from txmon.addresses import EVM, normalize
from txmon.errors import InvalidAddress


def normalise_address(value: object) -> str:
    """``value`` as a lowercase hex address, or :class:`InvalidAddress` (dead-lettered)."""
    if not isinstance(value, str):
        raise InvalidAddress(f"address is not a string: {value!r}")
    return _normalise(value)


@lru_cache(maxsize=1 << 16)
def _normalise(value: str) -> str:
    found = normalize(value)
    if found.chain_family != EVM:
        raise InvalidAddress(f"not an Ethereum address: {value!r}")
    return found.address


def address_from_topic(topic: object) -> str:
    """The address in an indexed ``address`` event topic (the low 20 of 32 bytes)."""
    if not isinstance(topic, str) or len(topic) != 66:
        raise InvalidAddress(f"topic is not a 32-byte word: {topic!r}")
    return normalise_address("0x" + topic[26:])
