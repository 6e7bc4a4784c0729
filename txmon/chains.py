"""The chain registry: the one list of chains txmon follows, and what is valid on each.

Everything that asks "is this a chain we know?" reads :data:`CHAINS` — the CLI's chain
choices, the transfer schema on the bus, the exchange feed's validation — so that adding a
chain is one entry here plus its ingest. Each entry says which address family of
:mod:`txmon.addresses` (the one place that decides what an address is) is valid on the
chain and what a transaction hash looks like there, so that a record that cannot exist
(an ETH withdrawal to a Bitcoin address, a 10-character ``tx_hash``) is refused at the
boundary with the reason, not carried into the rules.

``exchange`` is not a chain: it is the back office's namespace for transfer ids
(``exchange:wd-…``); the asset of such a transfer names its real chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import import_module
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema

from txmon.addresses import BITCOIN, EVM, normalize
from txmon.errors import ConfigError, InvalidAddress

EXCHANGE = "exchange"


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """What the ``ingest``/``replay`` commands may say about a chain's source.

    Each field is one CLI option; a chain lists the ones it takes in :attr:`Chain.options`
    and a value given to a chain that does not take it is refused, never ignored.
    """

    rpc_url: str | None = None  # --rpc
    network: str = "mainnet"  # --network (Bitcoin parameters)
    blocks_dir: str | None = None  # --blocks-dir
    no_traces: bool = False  # --no-traces
    start_height: int | None = None  # --start-height (replay of block files)

    def given(self) -> set[str]:
        """Names of the options set to something other than their default."""
        return {f.name for f in fields(self) if getattr(self, f.name) != f.default}


@dataclass(frozen=True, slots=True)
class Chain:
    """One chain: address family, hash format, native asset and how to build its source."""

    name: str
    family: str
    hash_pattern: re.Pattern[str]  # a transaction or block hash, canonical form
    native: str
    decimals: int
    source: str  # "module:function" building its ChainSource from (Store, SourceOptions)
    options: frozenset[str]  # the SourceOptions fields its commands take
    fixed_prefix: tuple[str, ...] = ()  # pseudo-addresses ingest emits (not from a node)

    def valid_hash(self, text: str) -> bool:
        return self.hash_pattern.fullmatch(text) is not None

    @property
    def native_key(self) -> str:
        """The asset key of its native coin (``ethereum:ETH``), as exposure state keys it."""
        return f"{self.name}:{self.native}"

    def source_factory(self) -> Callable[[Any, SourceOptions], Any]:
        """The function building this chain's source (imported on first use)."""
        module, _, function = self.source.partition(":")
        factory: Callable[[Any, SourceOptions], Any] = getattr(import_module(module), function)
        return factory

    def check_options(self, options: SourceOptions) -> None:
        """Refuse an option this chain does not take (``--blocks-dir`` on Ethereum)."""
        misplaced = sorted(options.given() - self.options)
        if misplaced:
            flags = ", ".join("--" + n.replace("_", "-").replace("rpc-url", "rpc")
                              for n in misplaced)
            raise ConfigError(f"{flags}: not an option of {self.name}")


CHAINS: dict[str, Chain] = {
    "ethereum": Chain("ethereum", EVM, re.compile(r"0x[0-9a-f]{64}"), "ETH", 18,
                      source="ingest.ethereum.factory:build",
                      options=frozenset({"rpc_url", "no_traces"})),
    # Bitcoin ingest also emits "coinbase", "script:<sha256>" and, for an input whose
    # prevout the node could not serve, "prevout:<txid>:<n>" legs (ingest/bitcoin).
    "bitcoin": Chain("bitcoin", BITCOIN, re.compile(r"[0-9a-f]{64}"), "BTC", 8,
                     source="ingest.bitcoin.factory:build",
                     options=frozenset({"rpc_url", "network", "blocks_dir", "start_height"}),
                     fixed_prefix=("coinbase", "script:", "prevout:")),
}
_SCRIPT_KEY = re.compile(r"script:[0-9a-f]{64}")
_PREVOUT_KEY = re.compile(r"prevout:[0-9a-f]{64}:[0-9]{1,10}")
_CANONICAL_EVM = re.compile(r"0x[0-9a-f]{40}")  # what EVM ingest emits: no checksum to test


def _known_chain(value: str) -> str:
    if value not in CHAINS:
        raise ValueError(f"must be one of {', '.join(CHAINS)}")
    return value


# A chain name in a request (screening API, batch lines): the registry's chains, an enum
# in the OpenAPI document.
ChainName = Annotated[str, AfterValidator(_known_chain),
                      WithJsonSchema({"type": "string", "enum": list(CHAINS)})]


def chain(name: object) -> Chain:
    """The registry entry for ``name``; ValueError when unknown."""
    found = CHAINS.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValueError(f"unknown chain {str(name)[:40]!r} (known: {', '.join(CHAINS)})")
    return found


def check_address(name: str, raw: str, network: str | None = None) -> str:
    """``raw`` in canonical form if it is a valid address on chain ``name``.

    Raises :class:`InvalidAddress` naming the chain: a valid Bitcoin address is still not
    an address on Ethereum. ``network`` (a Bitcoin transfer's) rejects a testnet address on
    mainnet and the reverse.
    """
    spec = chain(name)
    if spec.family == EVM and _CANONICAL_EVM.fullmatch(raw):
        return raw  # the hot path: 1 µs instead of 7 (txmon.addresses gives the same)
    return _check(spec, raw, network)


@lru_cache(maxsize=65_536)  # Bitcoin decoding costs ~10 µs; live traffic repeats addresses
def _check(spec: Chain, raw: str, network: str | None) -> str:
    name = spec.name
    if raw == "coinbase" and "coinbase" in spec.fixed_prefix:
        return raw
    if raw.startswith("script:") and "script:" in spec.fixed_prefix:
        if _SCRIPT_KEY.fullmatch(raw) is None:
            raise InvalidAddress(f"not a script key on {name}: {raw[:80]!r}")
        return raw
    if raw.startswith("prevout:") and "prevout:" in spec.fixed_prefix:
        if _PREVOUT_KEY.fullmatch(raw) is None:
            raise InvalidAddress(f"not an unresolved-prevout key on {name}: {raw[:80]!r}")
        return raw
    found = normalize(raw)
    if found.chain_family != spec.family:
        raise InvalidAddress(f"not a {name} address: {raw[:80]!r} "
                             f"(decodes as {found.chain_family})")
    if network is not None and spec.family == BITCOIN and (
            (network == "mainnet") != (found.network == "mainnet")):
        raise InvalidAddress(f"a {found.network} address on bitcoin {network}: {raw[:80]!r}")
    return found.address
