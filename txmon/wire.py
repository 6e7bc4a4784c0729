"""JSON wire format of the domain records (the mapping layer between bytes and models).

uint256 amounts travel as decimal strings: orjson (and many JSON consumers) refuse or
silently round integers above 64 bits, and 18.4 ETH in wei already overflows. Dates are
ISO 8601; datetimes are UTC with a ``Z`` suffix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson

from txmon.errors import BadRecord
from txmon.models import (
    Alert,
    Asset,
    ExchangeContext,
    Leg,
    Tag,
    TagKind,
    Transfer,
    TransferKind,
    TransferStatus,
)
from txmon.transfer_schema import LegRecord, validate_transfer

SCHEMA_VERSION = 1


def dumps(obj: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, so equal records give equal bytes (hashable)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of one hash-chained log entry without its own
    ``hash``: the one definition behind alert trails, cases, exceptions and confirmation
    records, so a verifier needs only this to check any of them."""
    return hashlib.sha256(dumps({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def loads(data: bytes | str) -> Any:
    """Parse JSON, turning a syntax error into a :class:`BadRecord` for dead-lettering."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadRecord(f"not JSON: {exc}") from exc


def _time_to_wire(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_from_wire(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _amount_from_wire(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadRecord(f"amount must be a decimal string, got {type(value).__name__}")
    try:
        amount = int(value)
    except ValueError as exc:
        raise BadRecord(f"amount is not an integer: {str(value)[:80]!r}") from exc
    if amount < 0:
        raise BadRecord(f"amount is negative: {str(value)[:80]!r}")
    return amount


def asset_to_wire(asset: Asset) -> dict[str, Any]:
    return {
        "chain": asset.chain,
        "symbol": asset.symbol,
        "decimals": asset.decimals,
        "contract": asset.contract,
    }


def asset_from_wire(data: dict[str, Any]) -> Asset:
    return Asset(
        chain=data["chain"],
        symbol=data["symbol"],
        decimals=int(data["decimals"]),
        contract=data.get("contract"),
    )


def _leg_to_wire(leg: Leg) -> dict[str, Any]:
    out: dict[str, Any] = {"address": leg.address, "amount": str(leg.amount)}
    if leg.script_type is not None:
        out["script_type"] = leg.script_type
    return out


def transfer_to_wire(transfer: Transfer) -> dict[str, Any]:
    """Transfer → JSON-ready dict (the record published on ``txmon.transfers``)."""
    out: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "id": transfer.id,
        "chain": transfer.chain,
        "network": transfer.network,
        "asset": asset_to_wire(transfer.asset),
        "tx_hash": transfer.tx_hash,
        "index": transfer.index,
        "block_number": transfer.block_number,
        "block_hash": transfer.block_hash,
        "block_time": _time_to_wire(transfer.block_time),
        "inputs": [_leg_to_wire(leg) for leg in transfer.inputs],
        "outputs": [_leg_to_wire(leg) for leg in transfer.outputs],
        "kind": transfer.kind.value,
        "status": transfer.status.value,
        "success": transfer.success,
        "fee": None if transfer.fee is None else str(transfer.fee),
        "extra": transfer.extra,
    }
    if transfer.exchange is not None:
        ex = transfer.exchange
        out["exchange"] = {
            "account": ex.account,
            "direction": ex.direction,
            "counterparty_vasp": ex.counterparty_vasp,
            "originator": ex.originator,
            "beneficiary": ex.beneficiary,
            "event_id": ex.event_id,
        }
    return out


def transfer_from_wire(data: Any) -> Transfer:
    """JSON value → Transfer; anything the schema refuses is a :class:`BadRecord`.

    The schema (:mod:`txmon.transfer_schema`) decides what can exist; this only maps.
    """
    record = validate_transfer(data)
    ex = record.exchange
    return Transfer(
        chain=record.chain,
        network=record.network,
        asset=Asset(record.asset.chain, record.asset.symbol, record.asset.decimals,
                    record.asset.contract),
        tx_hash=record.tx_hash,
        index=record.index,
        block_number=record.block_number,
        block_hash=record.block_hash,
        block_time=record.block_time,  # type: ignore[arg-type]  # a datetime once validated
        inputs=tuple(_leg(leg) for leg in record.inputs),
        outputs=tuple(_leg(leg) for leg in record.outputs),
        kind=TransferKind(record.kind),
        status=TransferStatus(record.status),
        success=record.success,
        fee=None if record.fee is None else int(record.fee),
        exchange=None if ex is None else ExchangeContext(
            account=ex.account, direction=ex.direction,
            counterparty_vasp=ex.counterparty_vasp, originator=ex.originator,
            beneficiary=ex.beneficiary, event_id=ex.event_id),
        extra=dict(record.extra),
    )


def _leg(record: LegRecord) -> Leg:
    return Leg(record.address, int(record.amount), record.script_type)


def encode_transfer(transfer: Transfer) -> bytes:
    return dumps(transfer_to_wire(transfer))


def decode_transfer(data: bytes) -> Transfer:
    return transfer_from_wire(loads(data))


def tag_to_wire(tag: Tag) -> dict[str, Any]:
    return {
        "address": tag.address,
        "chain": tag.chain,
        "source": tag.source,
        "kind": tag.kind.value,
        "entity": tag.entity,
        "category": tag.category,
        "programs": list(tag.programs),
        "list_id": tag.list_id,
        "listed_at": None if tag.listed_at is None else tag.listed_at.isoformat(),
        "delisted_at": None if tag.delisted_at is None else tag.delisted_at.isoformat(),
        "dates_from": tag.dates_from,
        "confidence": tag.confidence,
        "asset": tag.asset,
    }


def tag_from_wire(data: dict[str, Any]) -> Tag:
    return Tag(
        address=data["address"],
        chain=data["chain"],
        source=data["source"],
        kind=TagKind(data["kind"]),
        entity=data["entity"],
        category=data["category"],
        programs=tuple(data.get("programs") or ()),
        list_id=data.get("list_id"),
        listed_at=_date_from_wire(data.get("listed_at")),
        delisted_at=_date_from_wire(data.get("delisted_at")),
        dates_from=data.get("dates_from", "source"),
        confidence=data.get("confidence"),
        asset=data.get("asset"),
    )


def alert_to_wire(alert: Alert) -> dict[str, Any]:
    """Alert → the JSON object printed by ``--json`` and carried in CloudEvents ``data``."""
    return {
        "id": alert.id,
        "rule": alert.rule,
        "rulebook_version": alert.rulebook_version,
        "severity": alert.severity,
        "transfer_id": alert.transfer_id,
        "chain": alert.chain,
        "tx_hash": alert.tx_hash,
        "block": alert.block,
        "asset": alert.asset,
        "amount": str(alert.amount),
        "addresses": list(alert.addresses),
        "evidence": alert.evidence,
        "as_of": alert.as_of.isoformat(),
        "retroactive": alert.retroactive,
        "list_version": alert.list_version,
    }


def alert_from_wire(data: dict[str, Any]) -> Alert:
    return Alert(
        id=data["id"],
        rule=data["rule"],
        rulebook_version=data["rulebook_version"],
        severity=data["severity"],
        transfer_id=data["transfer_id"],
        chain=data["chain"],
        tx_hash=data["tx_hash"],
        block=data.get("block"),
        asset=data["asset"],
        amount=_amount_from_wire(data["amount"]),
        addresses=tuple(data["addresses"]),
        evidence=dict(data["evidence"]),
        as_of=dt.date.fromisoformat(data["as_of"]),
        retroactive=bool(data.get("retroactive", False)),
        list_version=data.get("list_version"),
    )
