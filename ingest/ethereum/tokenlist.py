"""Token symbols and decimals from the token lists shipped in ``seeds/tokens/``.

Reads every ``*.json`` under the folder, in sorted path order (first entry for an address
wins), in the three shapes token lists come in: one object per file (ethereum-lists), a
JSON array of tokens (Uniswap's source list) and a token list with a ``tokens`` array
(the Uniswap token-list standard). Entries are matched by address only, never by symbol.
A missing folder is not an error: unknown tokens are then resolved on chain.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ingest.ethereum.addresses import normalise_address
from txmon.errors import InvalidAddress, ListFormatError
from txmon.settings import SEEDS_DIR

log = logging.getLogger(__name__)

DEFAULT_TOKEN_DIR = SEEDS_DIR / "tokens"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a transfer needs to know about a token contract."""

    symbol: str
    decimals: int
    source: str  # "list" (seeds) or "chain" (eth_call) or "unavailable"


def load_token_list(folder: Path = DEFAULT_TOKEN_DIR, chain_id: int = 1) -> dict[str, TokenInfo]:
    """Address → token info for ``chain_id``; entries without a chainId count as mainnet."""
    tokens: dict[str, TokenInfo] = {}
    if not folder.is_dir():
        log.info("no token list at %s; token metadata will come from the chain", folder)
        return tokens
    skipped = 0
    for path in sorted(folder.rglob("*.json")):
        for entry in _entries(path):
            parsed = _parse(entry, chain_id)
            if parsed is None:
                skipped += 1
                continue
            tokens.setdefault(parsed[0], parsed[1])
    log.info(
        "token list: %d tokens for chain %d (%d entries skipped)", len(tokens), chain_id, skipped
    )
    return tokens


def _entries(path: Path) -> Iterator[Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ListFormatError(str(path), f"not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("tokens"), list):
        yield from data["tokens"]
    elif isinstance(data, list):
        yield from data
    else:
        yield data


def _parse(entry: Any, chain_id: int) -> tuple[str, TokenInfo] | None:
    """``(address, info)`` or None for an entry of another chain or without decimals."""
    if not isinstance(entry, dict):
        return None
    if entry.get("chainId", 1) != chain_id:
        return None
    decimals, symbol = entry.get("decimals"), entry.get("symbol")
    if not isinstance(decimals, int) or not isinstance(symbol, str):
        return None
    try:
        address = normalise_address(entry.get("address"))
    except InvalidAddress:
        return None
    return address, TokenInfo(symbol=symbol, decimals=decimals, source="list")
