"""Build the CEL activation (the variables a condition can read) from an enriched transfer.

Kept apart from the engine so that the vocabulary of conditions is in one place and
documented in docs/rules.md. Amounts are exact integers: ``units_micro`` is the amount
in millionths of the asset's unit, floored (CEL ints are 64-bit; base units are not).
Values beyond 64 bits saturate at ``CEL_INT_MAX`` — a transfer of 10^31 token units must
compare as "very large" in a threshold rule, not crash the engine; the exact base-unit
amount is in the alert itself and in ``evidence.matches[].amount`` as decimal strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from enrich.enricher import AddressHit, EnrichedTransfer
from rules.rulebook import TagFilter

CEL_INT_MAX = 2**63 - 1

# The declared variables of a condition: name → (CEL type, a realistic sample value).
# ``txmon rules check`` type-checks every condition against these (rules/typecheck.py), and
# tests/unit/rules/test_typecheck.py proves the builders below produce exactly these fields
# with these types, so the declaration cannot drift from what conditions really see.
TRANSFER_FIELDS: dict[str, tuple[str, Any]] = {
    "chain": ("string", "ethereum"), "network": ("string", "mainnet"),
    "symbol": ("string", "ETH"), "contract": ("string", ""), "kind": ("string", "native"),
    "status": ("string", "confirmed"), "success": ("bool", True),
    "units_micro": ("int", 1_000_000), "usd_cents": ("int", 100), "usd_known": ("bool", True),
    "block": ("int", 1), "inputs": ("int", 1), "outputs": ("int", 1),
    "account": ("string", ""), "direction": ("string", ""), "as_of": ("string", "2024-01-01"),
    "jpy_value": ("int", 30_000_001), "jpy_known": ("bool", True),
    "counterparty_country": ("string", "SG"), "counterparty_resident": ("bool", False),
}
RESIDENT_COUNTRY = "JP"  # FEFTA: a counterparty in Japan is a resident (居住者)
HIT_FIELDS: dict[str, tuple[str, Any]] = {
    "address": ("string", "0x722122df12d4e14e13ac3b6895a86e84145b6967"),
    "side": ("string", "output"), "units_micro": ("int", 1_000_000), "usd_cents": ("int", 100),
    "kinds": ("list<string>", ["sanction"]), "categories": ("list<string>", ["sanctioned"]),
    "sources": ("list<string>", ["ofac-sdn"]), "programs": ("list<string>", ["CYBER2"]),
    "entities": ("list<string>", ["TORNADO CASH"]),
}
EXPOSURE_FIELDS: dict[str, tuple[str, Any]] = {
    "tainted": ("bool", True), "model": ("string", "haircut"), "share_ppm": ("int", 500_000),
    "max_share_ppm": ("int", 500_000), "hops": ("int", 2),
    "sources": ("list<string>", ["0x722122df12d4e14e13ac3b6895a86e84145b6967"]),
    "tainted_units_micro": ("int", 1_000_000),
}


def saturate(value: int) -> int:
    """Clamp to CEL's 64-bit int: exact below the limit, the limit above it."""
    return min(value, CEL_INT_MAX)


def units_micro(amount: int, decimals: int) -> int:
    """Base units → millionths of a unit, floored, saturating at 2^63-1."""
    if decimals >= 6:
        return saturate(amount // 10 ** (decimals - 6))
    return saturate(amount * 10 ** (6 - decimals))


def usd_or_unknown(cents: int | None) -> int:
    """CEL has no null-safe arithmetic: an unknown USD value is -1 (``usd_known`` says so)."""
    return -1 if cents is None else saturate(cents)


def hit_to_activation(hit: AddressHit, decimals: int, tag_filter: TagFilter | None,
                      usd: Callable[[int], int | None] | None = None) -> dict[str, Any]:
    """One tagged address as CEL sees it; only tags passing the rule's filter count."""
    tags = [
        t for t in hit.tags
        if tag_filter is None or tag_filter.accepts(t.kind.value, t.category, t.source, t.programs)
    ]
    return {
        "address": hit.address,
        "side": hit.side,
        "units_micro": units_micro(hit.amount, decimals),
        "usd_cents": usd_or_unknown(usd(hit.amount) if usd else None),
        "kinds": sorted({t.kind.value for t in tags}),
        "categories": sorted({t.category for t in tags}),
        "sources": sorted({t.source for t in tags}),
        "programs": sorted({p for t in tags for p in t.programs}),
        "entities": sorted({t.entity for t in tags}),
    }


def transfer_to_activation(enriched: EnrichedTransfer,
                           usd_cents: int | None = None) -> dict[str, Any]:
    """The transfer's own fields as CEL sees them (``usd_cents`` -1 when unpriced)."""
    t = enriched.transfer
    ex = t.exchange
    return {
        "chain": t.chain,
        "network": t.network,
        "symbol": t.asset.symbol,
        "contract": t.asset.contract or "",
        "kind": t.kind.value,
        "status": t.status.value,
        "success": t.success,
        "units_micro": units_micro(t.amount, t.asset.decimals),
        "usd_cents": usd_or_unknown(usd_cents),
        "usd_known": usd_cents is not None,
        "block": t.block_number if t.block_number is not None else -1,
        "inputs": len(t.inputs),
        "outputs": len(t.outputs),
        "account": ex.account if ex else "",
        "direction": ex.direction if ex else "",
        "as_of": enriched.as_of.isoformat(),
        **_jpy(t.extra),
    }


def _jpy(extra: dict[str, str]) -> dict[str, Any]:
    """The FEFTA variables: yen value (the exchange's own, from the feed; -1 unknown:
    txmon ships no JPY price table) and whether the counterparty is known to be in Japan."""
    raw = extra.get("value_jpy")
    value = saturate(int(raw)) if raw is not None and str(raw).isdigit() else None
    country = extra.get("counterparty_country", "")
    return {"jpy_value": -1 if value is None else value, "jpy_known": value is not None,
            "counterparty_country": country,
            "counterparty_resident": country == RESIDENT_COUNTRY}
