"""Token lists: ERC-20 contract, symbol and decimals (ethereum-lists files, Token Lists JSON).

Accepted shapes: one ethereum-lists token object per file, a JSON array of token objects
(Uniswap's source array), or a Token Lists document ``{"tokens": [...], "timestamp": …}``.
Each contract becomes an entity tag (category ``token``) and a :class:`TokenInfo` so
that ingest can read decimals per contract. Tokens are matched by address, never by
symbol: names and symbols differ between lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from enrich.sources import jsonfile
from enrich.sources.base import LoadedList, TokenInfo
from txmon.addresses import EVM, normalize
from txmon.errors import InvalidAddress, ListFormatError
from txmon.models import Tag, TagKind

CHAIN_IDS = {1: "ethereum", 10: "optimism", 56: "bsc", 137: "polygon", 42161: "arbitrum"}


class TokenListSource:
    """Loader for token list files."""

    format = "token-list"
    source = "token-list"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        result = LoadedList(self.source, files=tuple(Path(p).name for p in paths))
        for path in map(Path, paths):
            data = jsonfile.read(path)
            if isinstance(data, dict) and "tokens" in data:
                result.published = _timestamp(data.get("timestamp")) or result.published
                data = data["tokens"]
            for n, item in enumerate(data if isinstance(data, list) else [data], 1):
                _add(result, path, n, item)
        return result


def _add(result: LoadedList, path: Path, n: int, item: Any) -> None:
    if not isinstance(item, dict):
        raise ListFormatError(str(path), f"token {n}: not an object")
    try:
        address = normalize(str(item["address"]))
        decimals, symbol = int(item["decimals"]), str(item["symbol"])
    except (KeyError, ValueError, InvalidAddress) as exc:
        raise ListFormatError(str(path), f"token {n}: {exc}") from None
    if address.chain_family != EVM or not 0 <= decimals <= 255:
        raise ListFormatError(str(path), f"token {n}: not an EVM contract with decimals 0-255")
    name = str(item.get("name") or symbol)
    chain = CHAIN_IDS.get(int(item.get("chainId", 1)), f"evm-{item.get('chainId')}")
    result.tokens.append(TokenInfo(chain, address.address, symbol, decimals, name))
    result.tags.append(Tag(address=address.address, chain=EVM, source=result.source,
                           kind=TagKind.ENTITY, entity=f"{name} ({symbol})", category="token",
                           asset=symbol))


def _timestamp(value: Any) -> dt.date | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
