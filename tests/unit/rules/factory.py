"""Builders for rule tests: real OFAC-listed addresses, transfers and a tag lookup.

Listed addresses are copied from the 0xB10C per-asset lists (commit f2aee226, 2024-09-27),
files ``sanctioned_addresses_ETH.txt`` (Tornado Cash, lines 71 and 89) and
``sanctioned_addresses_XBT.txt`` (line 1), lower-cased for ETH as txmon normalises them.
Designation dates are OFAC's: Tornado Cash designated 2022-08-08, delisted 2025-03-21.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from txmon.models import Asset, Leg, Tag, TagKind, Transfer

TORNADO_PROXY = "0x722122df12d4e14e13ac3b6895a86e84145b6967"  # sanctioned_addresses_ETH.txt
TORNADO = "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"  # sanctioned_addresses_ETH.txt
XBT_LISTED = "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"  # sanctioned_addresses_XBT.txt
# Unlisted mainnet addresses seen in seeds/demo/transfers.ndjson (intermediaries).
ALICE = "0x1b641dd835a092dbac879d55347559247e13e06c"
BOB = "0xd9e1ce17f2641f24ae83637ab66a2cca9c378b9f"
CAROL = "0xd80276cd0348e9b3c5d017e1f7529f0a785fec3a"
DAVE = "0x00000000454a11ca3a574738c0aab442b62d5d45"
ERIN = "0x0832b0393e3a920913cc2974bf78b0463db01119"

ETH = Asset("ethereum", "ETH", 18)
BTC = Asset("bitcoin", "BTC", 8)
USDT = Asset("ethereum", "USDT", 6, "0xdac17f958d2ee523a2206206994597c13d831ec7")
WEI = 10**18
DAY = dt.datetime(2022, 9, 1, 12, 0, tzinfo=dt.UTC)


def tornado_tag(address: str) -> Tag:
    return Tag(address=address, chain="ethereum", source="ofac-sdn", kind=TagKind.SANCTION,
               entity="TORNADO CASH", category="sanctioned", programs=("CYBER2",),
               listed_at=dt.date(2022, 8, 8), delisted_at=dt.date(2025, 3, 21))


def entity_tag(address: str, category: str, entity: str) -> Tag:
    return Tag(address=address, chain="ethereum", source="test-labels", kind=TagKind.ENTITY,
               entity=entity, category=category)


class DictLookup:
    """A TagLookup over a fixed set of tags (the tag store is another issue's module)."""

    def __init__(self, tags: Sequence[Tag]) -> None:
        self._tags: dict[str, list[Tag]] = {}
        for tag in tags:
            self._tags.setdefault(tag.address, []).append(tag)

    def tags_for(self, address: str) -> Sequence[Tag]:
        return self._tags.get(address, ())


def transfer(n: int, inputs: list[tuple[str, int]], outputs: list[tuple[str, int]],
             asset: Asset = ETH, block: int = 15_000_000, success: bool = True,
             when: dt.datetime = DAY) -> Transfer:
    """A transfer at block ``block + n`` (tx hash derived from ``n``: deterministic)."""
    return Transfer(chain=asset.chain, network="mainnet", asset=asset,
                    tx_hash=f"0x{n:064x}", index=0, block_number=block + n,
                    block_hash=f"0x{block + n:064x}", block_time=when + dt.timedelta(minutes=n),
                    inputs=tuple(Leg(a, v) for a, v in inputs),
                    outputs=tuple(Leg(a, v) for a, v in outputs), success=success)
