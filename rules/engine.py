"""Evaluate a rulebook against enriched transfers and build explainable alerts.

Each alert carries its evidence: the matched addresses with their tags and sources, the
condition that fired with the inputs it saw (the evaluation trace), and the rulebook
version. Everything in an alert derives from (transfer, rulebook, as-of date), so the
same input raises byte-identical alerts live and in a replay.
"""

from __future__ import annotations

import hashlib
from typing import Any

from enrich.enricher import AddressHit, EnrichedTransfer
from rules.activation import hit_to_activation, transfer_to_activation
from rules.rulebook import Rule, Rulebook
from txmon.models import Alert, Tag, TransferStatus
from txmon.wire import tag_to_wire


def alert_id(rule_id: str, transfer_id: str) -> str:
    """hash(rule id, transfer id): raising the same alert twice is a no-op downstream."""
    return hashlib.sha256(f"{rule_id}\x1f{transfer_id}".encode()).hexdigest()[:32]


def _matching_tags(rule: Rule, hit: AddressHit) -> list[Tag]:
    if rule.match is None:
        return list(hit.tags)
    return [
        t for t in hit.tags
        if rule.match.accepts(t.kind.value, t.category, t.source, t.programs)
    ]


def _tag_evidence(tag: Tag) -> dict[str, Any]:
    wire = tag_to_wire(tag)
    wire.pop("address")
    return wire


class RuleEngine:
    """Applies every rule of a rulebook to one enriched transfer at a time."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook

    def evaluate(self, enriched: EnrichedTransfer) -> list[Alert]:
        """Alerts raised for this transfer (none for a retracted one)."""
        if enriched.transfer.status is TransferStatus.RETRACTED:
            return []
        transfer_vars = transfer_to_activation(enriched)
        alerts = [self._apply(rule, enriched, transfer_vars) for rule in self.rulebook.rules]
        return [a for a in alerts if a is not None]

    def _apply(self, rule: Rule, enriched: EnrichedTransfer,
               transfer_vars: dict[str, Any]) -> Alert | None:
        matched = [(h, _matching_tags(rule, h)) for h in enriched.hits]
        matched = [(h, tags) for h, tags in matched if tags]
        if rule.match is not None and not matched:
            return None  # cheap pre-filter: most transfers touch no tagged address
        decimals = enriched.transfer.asset.decimals
        hits_vars = [hit_to_activation(h, decimals, rule.match) for h, _ in matched]
        activation = {"transfer": transfer_vars, "hits": hits_vars}
        if not rule.when.evaluate(activation):
            return None
        return self._build(rule, enriched, matched, activation)

    def _build(self, rule: Rule, enriched: EnrichedTransfer,
               matched: list[tuple[AddressHit, list[Tag]]],
               activation: dict[str, Any]) -> Alert:
        t = enriched.transfer
        addresses = tuple(dict.fromkeys(h.address for h, _ in matched))
        evidence: dict[str, Any] = {
            "title": rule.title,
            "matches": [
                {"address": h.address, "side": h.side, "amount": str(h.amount),
                 "tags": [_tag_evidence(tag) for tag in tags]}
                for h, tags in matched
            ],
            "trace": {"condition": rule.when.source, "result": True, "inputs": activation},
        }
        return Alert(
            id=alert_id(rule.id, t.id),
            rule=rule.id,
            rulebook_version=self.rulebook.version,
            severity=rule.severity,
            transfer_id=t.id,
            chain=t.chain,
            tx_hash=t.tx_hash,
            block=t.block_number,
            asset=t.asset.symbol,
            amount=t.amount,
            addresses=addresses,
            evidence=evidence,
            as_of=enriched.as_of,
        )
