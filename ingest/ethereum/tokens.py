"""Token metadata for every contract that emits an ERC-20 ``Transfer``: list first, chain second.

A contract not in the shipped list is asked ``decimals()`` and ``symbol()`` once, with
``eth_call`` batched over all the new contracts of a block range, and the answer (or the
fact that there is none) is cached for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from ingest.ethereum.tokenlist import TokenInfo
from ingest.rpc import NodeError, RpcClient
from txmon.models import Asset

_DECIMALS = "0x" + keccak(text="decimals()")[:4].hex()
_SYMBOL = "0x" + keccak(text="symbol()")[:4].hex()
UNKNOWN_SYMBOL = "UNKNOWN"
_MAX_SYMBOL = 32


class TokenRegistry:
    """Thread-safe cache of token metadata shared by the worker threads of a source."""

    def __init__(self, chain: str, known: dict[str, TokenInfo]) -> None:
        self._chain = chain
        self._tokens = dict(known)
        self._lock = threading.Lock()

    def missing(self, contracts: Iterable[str]) -> list[str]:
        """Contracts whose metadata has not been looked up yet, without repeats."""
        with self._lock:
            return sorted({c for c in contracts if c not in self._tokens})

    def resolve(self, rpc: RpcClient, contracts: Iterable[str]) -> None:
        """Look up every contract in ``contracts`` not known yet (one batch of eth_calls)."""
        todo = self.missing(contracts)
        if not todo:
            return
        calls = [("eth_call", [{"to": c, "data": sel}, "latest"]) for c in todo
                 for sel in (_DECIMALS, _SYMBOL)]  # fmt: skip
        answers = rpc.batch_results(calls)
        found = {c: _info(answers[2 * i], answers[2 * i + 1]) for i, c in enumerate(todo)}
        with self._lock:
            for contract, info in found.items():
                self._tokens.setdefault(contract, info)

    def info(self, contract: str) -> TokenInfo:
        with self._lock:
            info = self._tokens.get(contract)
        return info or TokenInfo(UNKNOWN_SYMBOL, 0, "unavailable")

    def asset(self, contract: str) -> Asset:
        info = self.info(contract)
        return Asset(
            chain=self._chain, symbol=info.symbol, decimals=info.decimals, contract=contract
        )


def _info(decimals_answer: Any, symbol_answer: Any) -> TokenInfo:
    decimals = _decode_decimals(decimals_answer)
    symbol = _decode_symbol(symbol_answer)
    if decimals is None and symbol is None:
        return TokenInfo(UNKNOWN_SYMBOL, 0, "unavailable")
    return TokenInfo(symbol or UNKNOWN_SYMBOL, decimals or 0, "chain")


def _decode_decimals(answer: Any) -> int | None:
    raw = _bytes(answer)
    if raw is None or len(raw) < 32:
        return None
    (value,) = decode(["uint256"], raw[:32])
    return value if value <= 255 else None  # ERC-20 decimals is a uint8


def _decode_symbol(answer: Any) -> str | None:
    """``string`` per the standard; early tokens (MKR, SAI) return ``bytes32`` instead."""
    raw = _bytes(answer)
    if raw is None or len(raw) < 32:
        return None
    try:
        (value,) = decode(["string"], raw)
    except (DecodingError, OverflowError, UnicodeDecodeError):
        value = raw[:32].rstrip(b"\0").decode("utf-8", errors="replace")
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()[:_MAX_SYMBOL]
    return cleaned or None


def _bytes(answer: Any) -> bytes | None:
    if isinstance(answer, NodeError) or not isinstance(answer, str):
        return None
    try:
        return bytes.fromhex(answer.removeprefix("0x"))
    except ValueError:
        return None
