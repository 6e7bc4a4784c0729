"""A small pipeline scenario shared by the embedded unit test and the Kafka/Redis test.

Real OFAC-listed addresses (from seeds/ofac/sanctioned_addresses_ETH.txt, 2024-09-27):
the Tornado Cash proxy and a Lazarus Group address. The transfers are the real mainnet
Tornado Cash deposit of seeds/demo plus a clean transfer.
"""

from __future__ import annotations

import datetime as dt

from txmon.models import Asset, Leg, Tag, TagKind, Transfer

TORNADO_PROXY = "0x722122df12d4e14e13ac3b6895a86e84145b6967"
DEPOSITOR = "0xe209a7d3655b2d1b56c38e5a0d4369a19f55924d"
CLEAN_A = "0x1b641dd835a092dbac879d55347559247e13e06c"
CLEAN_B = "0xd9e1ce17f2641f24ae83637ab66a2cca9c378b9f"
ETH = Asset("ethereum", "ETH", 18)
TEN_ETH = 10 * 10**18


def tornado_tag() -> Tag:
    return Tag(address=TORNADO_PROXY, chain="ethereum", source="ofac-sdn",
               kind=TagKind.SANCTION, entity="TORNADO CASH", category="sanctioned",
               programs=("CYBER2", "DPRK3"), listed_at=dt.date(2022, 8, 8),
               delisted_at=dt.date(2025, 3, 21), dates_from="override")


def transfer(tx_hash: str, sender: str, receiver: str, amount: int,
             day: dt.date = dt.date(2023, 1, 10)) -> Transfer:
    return Transfer(chain="ethereum", network="mainnet", asset=ETH, tx_hash=tx_hash, index=0,
                    block_number=16_400_000, block_hash="0x" + "ab" * 32,
                    block_time=dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC),
                    inputs=(Leg(sender, amount),), outputs=(Leg(receiver, amount),))


def scenario() -> list[Transfer]:
    """One sanctioned deposit (10 ETH) and one clean transfer."""
    return [
        transfer("0x" + "11" * 32, DEPOSITOR, TORNADO_PROXY, TEN_ETH),
        transfer("0x" + "22" * 32, CLEAN_A, CLEAN_B, 5),
    ]


class DictLookup:
    """A TagLookup over a fixed list of tags (the real index is tested in enrich/)."""

    def __init__(self, tags: list[Tag]) -> None:
        self._by_address: dict[str, list[Tag]] = {}
        for tag in tags:
            self._by_address.setdefault(tag.address, []).append(tag)

    def tags_for(self, address: str) -> list[Tag]:
        return self._by_address.get(address, [])
