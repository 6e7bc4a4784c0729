"""One validated event → its effects: Store writes, canonical transfers, names to screen.

Transfers from the back office use chain ``exchange`` so that their ids never collide with
the on-chain transfer of the same movement (``exchange:<tx_hash>:<output>`` for a deposit,
``exchange:wd-<withdrawal id>:0`` for a withdrawal — the same id when it is requested and
when it is sent, so an alert raised at request time is not raised again —
``exchange:int-<event id>:0`` for an internal transfer). The asset keeps its real chain,
so prices and exposure keys are those of the on-chain asset.

Amounts stay integers in base units. ``value_jpy`` (whole yen, the exchange's own rate:
txmon ships no JPY price table) above ¥30,000,000 sets ``extra["mof_report"]``; it and
``counterparty_country`` (travel rule) are what the rule variables ``transfer.jpy_value``
and ``transfer.counterparty_resident`` are built from (rules/activation.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ingest.exchange import travelrule
from txmon import customers as accounts
from txmon.addresses import normalize
from txmon.models import Asset, ExchangeContext, Leg, Transfer, TransferKind, TransferStatus

CHAIN = "exchange"


@dataclass(slots=True)
class Effects:
    """What one event changes. Applied by the consumer before it commits the message."""

    items: dict[str, bytes] = field(default_factory=dict)
    transfers: list[Transfer] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)  # accounts to screen now


def effects(event: dict[str, Any], network: str = "back-office") -> Effects:
    """Effects of ``event`` (already schema-valid); InvalidAddress for a broken address."""
    kind = event["type"]
    if kind in ("account.opened", "kyc.updated"):
        record = {"account": event["account"], **event["customer"], "updated": event["time"],
                  "event_id": event["id"]}
        return Effects(items=accounts.customer_items(event["account"], record),
                       customers=[event["account"]])
    if kind == "deposit_address.assigned":
        address = normalize(event["address"]).address
        return Effects(items=accounts.address_items(event["account"], address))
    if kind == "login":
        return Effects(items=accounts.login_items(event["account"], event["ip_country"],
                                                  event["time"]))
    return Effects(transfers=[transfer(event, network)])


def transfer(event: dict[str, Any], network: str) -> Transfer:
    """The canonical transfer of a deposit, withdrawal or internal transfer event."""
    kind, amount = event["type"], int(event["amount"])
    account = event["account"]
    if kind == "deposit.credited":
        direction, tx_hash, index = "deposit", event["tx_hash"], event.get("output_index", 0)
        senders = [normalize(a).address for a in event.get("from_addresses", [])]
        inputs = tuple(Leg(a, amount if len(senders) == 1 else 0) for a in senders)
        outputs = (Leg(normalize(event["address"]).address, amount),)
        status = TransferStatus.CONFIRMED
    elif kind.startswith("withdrawal."):
        direction, tx_hash, index = "withdrawal", f"wd-{event['withdrawal_id']}", 0
        inputs = (Leg(f"account:{account}", amount),)
        outputs = (Leg(normalize(event["to_address"]).address, amount),)
        sent = kind == "withdrawal.sent"
        status = TransferStatus.CONFIRMED if sent else TransferStatus.PENDING
    else:
        direction, tx_hash, index = "internal", f"int-{event['id']}", 0
        inputs = (Leg(f"account:{account}", amount),)
        outputs = (Leg(f"account:{event['to_account']}", amount),)
        status = TransferStatus.CONFIRMED
    rule = event.get("travel_rule")
    context = ExchangeContext(
        account=account, direction=direction,
        counterparty_vasp=travelrule.counterparty_vasp(rule, direction),
        originator=travelrule.display(rule, "originator"),
        beneficiary=travelrule.display(rule, "beneficiary"), event_id=event["id"])
    return Transfer(
        chain=CHAIN, network=network, asset=_asset(event["asset"]), tx_hash=tx_hash,
        index=index, block_number=event.get("block_number"), block_hash=None,
        block_time=_time(event["time"]), inputs=inputs, outputs=outputs,
        kind=TransferKind.EXCHANGE, status=status, exchange=context,
        extra=_extra(event, travelrule.counterparty_country(rule, direction)))


def _asset(data: dict[str, Any]) -> Asset:
    contract = data.get("contract")
    return Asset(data["chain"], data["symbol"], int(data["decimals"]),
                 normalize(contract).address if contract else None)


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _extra(event: dict[str, Any], counterparty_country: str | None) -> dict[str, str]:
    extra = {"event_type": event["type"]}
    if counterparty_country:
        extra["counterparty_country"] = counterparty_country
    if event["type"] == "withdrawal.sent" or event["type"] == "deposit.credited":
        extra["onchain_tx"] = event["tx_hash"]
    if "value_jpy" in event:
        extra["value_jpy"] = event["value_jpy"]
        if int(event["value_jpy"]) > accounts.MOF_THRESHOLD_JPY:
            extra["mof_report"] = "over-30m-jpy"
    return extra
