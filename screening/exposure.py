"""Indirect exposure of an address, read from the rules engine's taint state.

The engine (rules/exposure) keeps taint per (asset, address) under the rulebook's model;
screening only reads it. An address holds tainted funds when its state exists; its share
is tainted/balance in parts per million — the same upper bound the tracker uses (funds
held before taint arrived are unknown and counted as zero).
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.exposure.config import PPM, ExposureConfig
from rules.exposure.state import TaintRepository
from txmon.chains import CHAINS
from txmon.store.base import Store


@dataclass(frozen=True, slots=True)
class Held:
    """Tainted funds an address holds in one asset."""

    asset: str
    share_ppm: int
    hops: int
    sources: tuple[str, ...]


def exposure(store: Store, config: ExposureConfig, address: str, chain: str | None,
             token_keys: list[str]) -> list[Held]:
    """Assets in which ``address`` holds at least the rulebook's minimum tainted share."""
    chains = [chain] if chain else list(CHAINS)
    assets = [CHAINS[c].native_key for c in chains if c in CHAINS]
    assets += [k for k in token_keys if chain is None or k.startswith(f"{chain}:")]
    repo = TaintRepository(store, config.model)
    found = repo.load_pairs([(asset, address) for asset in assets])
    out = []
    for (asset, _), state in sorted(found.items()):
        if state is None or state.tainted <= 0 or state.hops > config.max_hops:
            continue
        share = PPM if state.balance <= 0 else min(PPM, state.tainted * PPM // state.balance)
        if share >= config.min_share_ppm:
            out.append(Held(asset, share, state.hops, state.sources))
    return out
