"""What the JSON schema cannot say about an exchange event: does it describe a real thing?

The schema (schemas/exchange-events.v1.json) checks shapes; this checks meaning, with the
same registries the rest of txmon uses — :mod:`txmon.chains` (the one chain list) and
:mod:`txmon.addresses` (the one address normaliser):

* times and dates are real (``2026-02-30T10:00:00Z`` matches the pattern, but no such day
  exists);
* chains are in the registry, and every address is valid *on the event's chain*: an ETH
  withdrawal to a Bitcoin address is refused, not sent to the rules;
* ``tx_hash`` has the chain's hash format and length;
* amounts fit in 256 bits (the pattern allows 78 digits, 2^256-1 has 78).

Each failure raises :class:`~txmon.errors.BadRecord` (``InvalidAddress`` for an address)
naming the field; the consumer dead-letters the event with that reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from txmon.chains import chain, check_address
from txmon.errors import BadRecord, InvalidAddress
from txmon.transfer_schema import UINT256_MAX

_VALUE_EVENTS = ("deposit.credited", "withdrawal.requested", "withdrawal.sent",
                 "internal.transfer")


def check(event: dict[str, Any]) -> None:
    """Raise BadRecord naming the field if ``event`` (schema-valid) cannot exist."""
    _time("time", event["time"])
    for where, text in _dates(event, ""):
        _date(where, text)
    kind = event["type"]
    if kind == "deposit_address.assigned":
        _known_chain("chain", event["chain"])
        _address("address", event["chain"], event["address"])
    if kind not in _VALUE_EVENTS:
        return
    asset = event["asset"]
    _known_chain("asset/chain", asset["chain"])
    for field in ("amount", "value_jpy"):
        if field in event and int(event[field]) > UINT256_MAX:
            raise BadRecord(f"{field} exceeds 2^256-1")
    if asset.get("contract"):
        _address("asset/contract", asset["chain"], asset["contract"])
    if kind == "deposit.credited":
        _address("address", asset["chain"], event["address"])
        for n, sender in enumerate(event.get("from_addresses", [])):
            _address(f"from_addresses/{n}", asset["chain"], sender)
    if kind.startswith("withdrawal."):
        _address("to_address", asset["chain"], event["to_address"])
    if "tx_hash" in event and not chain(asset["chain"]).valid_hash(event["tx_hash"]):
        raise BadRecord(f"tx_hash {event['tx_hash'][:80]!r} is not a {asset['chain']} "
                        "transaction hash")


def _dates(value: Any, where: str) -> list[tuple[str, str]]:
    """Every date field (``dob``, IVMS101 ``dateOfBirth``) with its path."""
    if isinstance(value, dict):
        found = [(f"{where}{k}", v) for k, v in value.items()
                 if k in ("dob", "dateOfBirth") and isinstance(v, str)]
        for k, v in value.items():
            found += _dates(v, f"{where}{k}/")
        return found
    if isinstance(value, list):
        return [d for n, v in enumerate(value) for d in _dates(v, f"{where}{n}/")]
    return []


def _time(field: str, text: str) -> None:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRecord(f"{field} {text[:40]!r} is not a real date-time: {exc}") from None


def _date(field: str, text: str) -> None:
    try:
        dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRecord(f"{field} {text[:40]!r} is not a real date: {exc}") from None


def _known_chain(field: str, name: str) -> None:
    try:
        chain(name)
    except ValueError as exc:
        raise BadRecord(f"{field}: {exc}") from None


def _address(field: str, chain_name: str, raw: str) -> None:
    try:
        check_address(chain_name, raw)
    except InvalidAddress as exc:
        raise InvalidAddress(f"{field}: {exc}") from None
