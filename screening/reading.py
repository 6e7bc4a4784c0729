"""What an address typed into a screening request is read as, and what that costs the
decision: a screening answer must never be ``allow`` for something it could not read.

* **Error** (``InvalidAddress``: CLI exit 2, HTTP 422) — the input claims a format and
  breaks it (a checksum, a length), or it is not an address of the ``chain`` asked about
  (an Ethereum withdrawal to a Bitcoin address). Nothing is decided or recorded.
* **Read, noted** — a look-alike form with one reading (full-width ``０ｘ…``, zero-width
  characters, 40 hex digits without ``0x``) is screened as that address; an ``allow``
  reason ``address-normalised`` shows the input and how it was read.
* **Review** — the input cannot be verified: characters outside every address alphabet
  after folding (a Cyrillic ``а`` among hex digits: ``lookalike-characters``), or a format
  we have no checksum for (``notanaddress``, Solana, Monero: ``unrecognised-address``).
  It is still looked up verbatim, so a listed Monero address blocks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from screening.decision import ALLOW, REVIEW, Reason
from txmon.addresses import UNKNOWN, normalize
from txmon.chains import CHAINS
from txmon.errors import InvalidAddress
from txmon.textnorm import clean

# The address family each chain a request may name accepts (the chain registry's).
CHAIN_FAMILIES = {name: spec.family for name, spec in CHAINS.items()}


@dataclass(frozen=True, slots=True)
class Reading:
    """The key to look up, its family, and the reasons the reading itself contributes."""

    address: str
    family: str
    reasons: list[Reason] = field(default_factory=list)


def read(raw: str, chain: str | None = None) -> Reading:
    """Read ``raw`` for screening on ``chain`` (None: any); raises InvalidAddress."""
    if chain is not None and chain not in CHAIN_FAMILIES:
        raise InvalidAddress(f"unknown chain {chain!r}: one of {', '.join(CHAIN_FAMILIES)}")
    text = clean(raw)
    if not text:
        raise InvalidAddress("empty address")
    foreign = [c for c in text if not c.isascii()]
    if foreign:
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}"
                          for c in dict.fromkeys(foreign))
        return Reading(text, UNKNOWN, [Reason(
            "lookalike-characters", REVIEW,
            f"the address holds characters no address alphabet has ({names}): "
            "a look-alike of another address?", {"input": raw, "characters": names})])
    normal = normalize(text)
    expected = CHAIN_FAMILIES.get(chain or "")
    if expected is not None and normal.chain_family != expected:
        raise InvalidAddress(f"not a {chain} address: {text!r} reads as "
                             f"{normal.chain_family} ({normal.kind})")
    reasons = []
    if normal.chain_family == UNKNOWN:
        reasons.append(Reason("unrecognised-address", REVIEW,
                              f"{text!r} is in no address format we can verify: looked up "
                              "verbatim, but a typo or look-alike cannot be ruled out",
                              {"input": raw}))
    elif raw.strip().lower() != normal.address.lower():
        reasons.append(Reason("address-normalised", ALLOW,
                              f"input {raw!r} read as {normal.address}",
                              {"input": raw, "read_as": normal.address}))
    return Reading(normal.address, normal.chain_family, reasons)
