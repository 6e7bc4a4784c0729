"""Name matches of the exchange's own customers and travel-rule counterparties as alerts.

A stored "block" answer is a fact nobody is asked to act on; an alert is in the queue,
the regulator feed and the case workflow. So a customer or counterparty screening whose
name reasons are ``block`` or ``review`` raises an alert on the same :class:`AlertStore`
the rules engine uses (same feed, sequence and hash chain). Ids are deterministic —
hash(rule, customer + listed party) for a customer, hash(rule, transfer id) for a
counterparty — so a redelivered event or a second re-screen against the same party
raises nothing new, while a *new* party matching the customer (a list update that adds
them) is a new alert. A match covered by a false-positive exception in force is an
``exception`` allow reason, not a hit (screening.exceptions); once the exception lapses the
match is a hit again and raises a new alert (its id names the lapsed exception). Each
alert carries what explains it: the rule, the listed party and its list record, the list
version, the decision and the confirmation record id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alerts.store import AlertStore
from rules.engine import alert_id
from txmon.models import Alert, Transfer

# Not CEL rules of the rulebook: the decision is the name matcher's (docs/screening.md);
# this version is what an alert records as its "rulebook version".
RULES_VERSION = "screening-1"
CUSTOMER_RULE = "customer-name-match"
COUNTERPARTY_RULE = "counterparty-name-match"
TITLES = {CUSTOMER_RULE: "An exchange customer's KYC name matches a listed party",
          COUNTERPARTY_RULE: "A travel-rule counterparty's name matches a listed party"}
SEVERITY = {"block": "critical", "review": "medium"}


def name_hits(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``name-match`` reasons of an answer that are not ruled out (block or review)."""
    return [r for r in answer["reasons"]
            if r["code"] == "name-match" and r["outcome"] in SEVERITY]


def _evidence(rule: str, answer: dict[str, Any], hits: list[dict[str, Any]],
              **subject: Any) -> dict[str, Any]:
    return {
        "title": TITLES[rule], **subject, "decision": answer["decision"],
        "parties": [{"outcome": h["outcome"], "detail": h["detail"], **h["evidence"]}
                    for h in hits],
        "list_versions": answer["list_versions"],
        "confirmation": answer.get("confirmation"), "screened_at": answer["at"],
        "asset_decimals": 0,
    }


def _severity(hits: list[dict[str, Any]]) -> str:
    return SEVERITY["block"] if any(h["outcome"] == "block" for h in hits) \
        else SEVERITY["review"]


class ScreeningAlerts:
    """Raises customer and counterparty alerts on one alert store."""

    def __init__(self, alerts: AlertStore) -> None:
        self._alerts = alerts

    def customer(self, account: str, answer: dict[str, Any]) -> list[Alert]:
        """One alert per listed party the customer matches; returns the new ones."""
        raised = []
        for hit in name_hits(answer):
            party = f"{hit['evidence']['source']}:{hit['evidence']['list_id']}"
            if lapsed := hit["evidence"].get("lapsed_exception"):
                party += f":after:{lapsed}"  # the match is alerted again once excepting ends
            alert = Alert(
                id=alert_id(CUSTOMER_RULE, f"customer:{account}:{party}"),
                rule=CUSTOMER_RULE, rulebook_version=RULES_VERSION,
                severity=_severity([hit]), transfer_id=f"customer:{account}",
                chain="exchange", tx_hash="", block=None, asset="", amount=0, addresses=(),
                evidence=_evidence(CUSTOMER_RULE, answer, [hit], customer=account),
                as_of=_day(answer), list_version=answer["list_versions"].get(
                    hit["evidence"]["source"]))
            if self._alerts.raise_alert(alert).created:
                raised.append(alert)
        return raised

    def counterparty(self, transfer: Transfer, names: list[str],
                     answer: dict[str, Any]) -> Alert | None:
        """One alert per transfer whose counterparty names match; None if none or known."""
        hits = name_hits(answer)
        if not hits:
            return None
        context = transfer.exchange
        alert = Alert(
            id=alert_id(COUNTERPARTY_RULE, transfer.id), rule=COUNTERPARTY_RULE,
            rulebook_version=RULES_VERSION, severity=_severity(hits),
            transfer_id=transfer.id, chain=transfer.chain, tx_hash=transfer.tx_hash,
            block=transfer.block_number, asset=transfer.asset.symbol, amount=transfer.amount,
            addresses=tuple(dict.fromkeys(leg.address for leg in transfer.outputs)),
            evidence={**_evidence(COUNTERPARTY_RULE, answer, hits,
                                  account=context.account if context else None,
                                  direction=context.direction if context else None,
                                  counterparty_vasp=context.counterparty_vasp if context
                                  else None, names=names, value_jpy=transfer.extra.get(
                                      "value_jpy")),
                      "asset_decimals": transfer.asset.decimals},
            as_of=_day(answer))
        return alert if self._alerts.raise_alert(alert).created else None


def _day(answer: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(answer["at"][:10])
