"""Evaluate a rulebook against enriched transfers and build explainable alerts.

Each alert carries its evidence: the matched addresses with their tags and sources, the
exposure hop path with amounts, the condition that fired with the inputs it saw (the
evaluation trace), and the rulebook version. Everything in an alert derives from
(transfers in order, rulebook, as-of date, price table), so the same input raises
byte-identical alerts live and in a replay.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enrich.enricher import AddressHit, EnrichedTransfer
from rules.activation import hit_to_activation, transfer_to_activation, units_micro
from rules.exposure import Exposure, ExposureTracker
from rules.prices import PriceTable
from rules.reload import RulebookWatcher
from rules.rulebook import Rule, Rulebook
from txmon import metrics
from txmon.errors import RuleError
from txmon.models import Alert, Tag, Transfer, TransferStatus
from txmon.store.base import Store
from txmon.wire import tag_to_wire

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """One rule that could not be evaluated on one transfer, and why."""

    rule: str
    transfer_id: str
    reason: str

    def __str__(self) -> str:
        return f"rule {self.rule} failed on {self.transfer_id}: {self.reason}"


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
    """Applies every rule of a rulebook to one enriched transfer at a time.

    With a ``store`` and an ``exposure:`` section in the rulebook, it also keeps the
    multi-hop taint state (transfers must then arrive in block order per chain). With
    ``watch``, :meth:`maybe_reload` swaps in the file's new version when it changes.
    """

    def __init__(self, rulebook: Rulebook, store: Store | None = None,
                 prices: PriceTable | None = None, watch: Path | None = None) -> None:
        self._store = store
        self._prices = prices
        self._watcher = RulebookWatcher(watch) if watch is not None else None
        self.tracker: ExposureTracker | None = None
        self.rulebook = rulebook
        self._use(rulebook)

    def _use(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        # Hot-path gate: when every rule needs a tagged address ("direct") or taint
        # ("exposure"), a transfer with neither raises nothing and skips rule evaluation.
        self._gated = all(r.signal in ("direct", "exposure", "exchange")
                          for r in rulebook.rules)
        self._untainted = Exposure(rulebook.exposure.model if rulebook.exposure else "")
        if self._store is None or rulebook.exposure is None:
            self.tracker = None
        elif self.tracker is None or self.tracker.config != rulebook.exposure:
            self.tracker = ExposureTracker(self._store, rulebook.exposure)

    def maybe_reload(self) -> bool:
        """Swap to the rulebook file's new version if it changed (called between batches)."""
        new = self._watcher.poll() if self._watcher else None
        if new is not None:
            self._use(new)
        return new is not None

    def prefetch(self, transfers: Sequence[Transfer]) -> None:
        """Load a batch's exposure state in one round trip (call :meth:`release` after)."""
        if self.tracker is not None:
            self.tracker.prefetch(transfers)

    def release(self) -> None:
        if self.tracker is not None:
            self.tracker.release()

    def retract(self, transfer: Transfer) -> bool:
        """Take back the taint a transfer whose block left the chain applied (reorg)."""
        return self.tracker.retract(transfer) if self.tracker is not None else False

    def evaluate(self, enriched: EnrichedTransfer, track_exposure: bool = True,
                 failures: list[RuleFailure] | None = None) -> list[Alert]:
        """Alerts raised for this transfer (none for a retracted one).

        ``track_exposure=False`` evaluates without touching taint state (retroactive
        look-backs over old transfers must not re-apply them). Each rule is evaluated on
        its own: a :class:`RuleError` of one rule is appended to ``failures`` (the caller
        dead-letters it; logged when no list is given), counted in
        ``txmon_rule_errors_total``, and the other rules still run.
        """
        t = enriched.transfer
        if t.status is TransferStatus.RETRACTED:
            return []
        exposure = self._untainted  # immutable: shared by every untainted transfer
        if self.tracker is not None and track_exposure:
            exposure = self.tracker.observe(enriched)
        if self._gated and not enriched.hits and not exposure.is_tainted \
                and t.exchange is None:
            return []  # the common case (no tag, no taint, on-chain): no rule could fire
        day = t.block_time.date() if t.block_time is not None else enriched.as_of

        def usd(amount: int) -> int | None:
            return self._prices.usd_cents(t.asset, amount, day) if self._prices else None

        shared: list[dict[str, Any]] = []  # transfer and exposure vars, built on first need
        alerts: list[Alert] = []
        for rule in self.rulebook.rules:
            try:
                alert = self._apply(rule, enriched, exposure, usd, shared)
            except RuleError as exc:
                failure = RuleFailure(rule.id, t.id, str(exc))
                metrics.RULE_ERRORS.labels(rule.id).inc()
                if failures is None:
                    log.error("%s", failure)
                else:
                    failures.append(failure)
                continue
            if alert is not None:
                alerts.append(alert)
        return alerts

    def _apply(self, rule: Rule, enriched: EnrichedTransfer, exposure: Exposure, usd: Any,
               shared: list[dict[str, Any]]) -> Alert | None:
        matched = [(h, _matching_tags(rule, h)) for h in enriched.hits]
        matched = [(h, tags) for h, tags in matched if tags]
        if rule.signal == "direct" and not matched:
            return None  # cheap pre-filter: most transfers touch no tagged address
        if rule.signal == "exposure" and not exposure.is_tainted:
            return None
        if rule.signal == "exchange" and enriched.transfer.exchange is None:
            return None
        decimals = enriched.transfer.asset.decimals
        if not shared:
            shared += [transfer_to_activation(enriched, usd(enriched.transfer.amount)),
                       exposure.to_activation(lambda a: units_micro(a, decimals))]
        hits_vars = [hit_to_activation(h, decimals, rule.match, usd) for h, _ in matched]
        activation = {"transfer": shared[0], "hits": hits_vars, "exposure": shared[1]}
        if not rule.when.evaluate(activation):
            return None
        return self._build(rule, enriched, matched, exposure, activation)

    def _build(self, rule: Rule, enriched: EnrichedTransfer,
               matched: list[tuple[AddressHit, list[Tag]]], exposure: Exposure,
               activation: dict[str, Any]) -> Alert:
        t = enriched.transfer
        named = [h.address for h, _ in matched]
        if exposure.is_tainted and rule.signal != "direct":
            named += [exposure.path[-1].sender, *exposure.sources]
        evidence: dict[str, Any] = {
            "title": rule.title,
            "asset_decimals": t.asset.decimals,
            "matches": [
                {"address": h.address, "side": h.side, "amount": str(h.amount),
                 "tags": [_tag_evidence(tag) for tag in tags]}
                for h, tags in matched
            ],
            "trace": {"condition": rule.when.source, "result": True, "inputs": activation},
        }
        if exposure.is_tainted:
            evidence["exposure"] = exposure.to_wire()
        if "illustrative" in t.extra:  # a synthetic demo transfer says so in its alert
            evidence["illustrative"] = t.extra["illustrative"]
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
            addresses=tuple(dict.fromkeys(named)),
            evidence=evidence,
            as_of=enriched.as_of,
        )
