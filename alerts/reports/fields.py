"""What a report of a rejected or blocked (frozen) transfer says, taken from one alert.

Two kinds, the same facts in each regulator's terms:

* ``mof`` — the report to Japan's Ministry of Finance / FSA of a transfer the exchange
  rejected or froze because a party is on an asset-freeze list (FEFTA). txmon knows no
  statutory deadline for it, so it carries none: the officer's supervisor sets it.
* ``ofac`` — OFAC's report of blocked property (31 CFR 501.603) or of a rejected
  transaction (501.604), each due within 10 business days of the blocking or rejection.
  Business days here skip Saturdays and Sundays only: US federal holidays are not in
  txmon's data, so a due date across one is a day early (the safe side).

Everything comes from the alert's own evidence (the listed party, its list record and
list version, the amounts, the confirmation record for a screening alert) and from the
feed (its sequence, hash and the time it was stored), so a report can be checked against
the verified feed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from txmon.models import Alert

KINDS = ("mof", "ofac")
ACTIONS = ("rejected", "blocked")
OFAC_BUSINESS_DAYS = 10
TITLES = {
    ("mof", "rejected"): "Report of a rejected transfer (asset-freeze measures, FEFTA)",
    ("mof", "blocked"): "Report of a frozen transfer (asset-freeze measures, FEFTA)",
    ("ofac", "rejected"): "OFAC Report of Rejected Transaction (31 CFR 501.604)",
    ("ofac", "blocked"): "OFAC Report of Blocked Property (31 CFR 501.603)",
}


def add_business_days(start: dt.date, days: int) -> dt.date:
    """``days`` business days after ``start`` (Monday–Friday; no holiday calendar)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass(frozen=True, slots=True)
class Party:
    """A listed party the alert rests on, with the list record that names it."""

    name: str
    source: str
    list_id: str
    programs: str
    listed_at: str
    matched: str  # the address or the name that matched it


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    action: str
    title: str
    reporter: str
    alert: dict[str, Any]  # id, rule, severity, feed seq and hash, stored at
    transfer: dict[str, Any]  # id, chain, tx hash, asset, amount, value_jpy, account, ...
    parties: tuple[Party, ...]
    action_date: dt.date
    due_date: dt.date | None
    generated: dt.date


def _units(amount: int, decimals: int) -> str:
    """Base units → the exact decimal amount, by integer arithmetic (a uint256 has more
    digits than Decimal's default precision and than a float)."""
    whole, frac = divmod(amount, 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole}.{digits}" if digits else str(whole)


def parties(alert: Alert) -> tuple[Party, ...]:
    """Listed parties from an engine alert (tags of matched addresses) or a screening
    alert (name matches)."""
    ev: dict[str, Any] = dict(alert.evidence)
    found: dict[tuple[str, str], Party] = {}
    for match in ev.get("matches") or []:
        for tag in match.get("tags") or []:
            if tag.get("kind") != "sanction":
                continue
            key = (str(tag["source"]), str(tag.get("list_id") or ""))
            found.setdefault(key, Party(str(tag.get("entity") or ""), key[0], key[1],
                                        ", ".join(tag.get("programs") or []),
                                        str(tag.get("listed_at") or ""), match["address"]))
    for hit in ev.get("parties") or []:
        key = (str(hit["source"]), str(hit["list_id"]))
        found.setdefault(key, Party(str(hit.get("party") or ""), key[0], key[1],
                                    ", ".join(hit.get("programs") or []), "",
                                    str(hit.get("matched_name") or "")))
    return tuple(found.values())


def build(alert: Alert, event: dict[str, Any], kind: str, action: str | None,
          reporter: str, action_date: dt.date | None, today: dt.date) -> Report:
    """The report of ``alert`` (``event``: its feed entry). ``action`` defaults to
    ``rejected`` for a withdrawal and ``blocked`` otherwise; ``action_date`` to the day
    the alert was stored."""
    ev: dict[str, Any] = dict(alert.evidence)
    trace = ((ev.get("trace") or {}).get("inputs") or {}).get("transfer") or {}
    direction = trace.get("direction") or ev.get("direction") or ""
    act = action or ("rejected" if direction == "withdrawal" else "blocked")
    stored = str(event.get("time", ""))
    day = action_date or dt.date.fromisoformat(stored[:10])
    decimals = ev.get("asset_decimals")
    amount = (f"{_units(alert.amount, decimals)} {alert.asset}"
              if isinstance(decimals, int) and alert.asset else str(alert.amount))
    jpy = trace.get("jpy_value") if trace.get("jpy_known") else ev.get("value_jpy")
    transfer = {
        "id": alert.transfer_id, "chain": alert.chain, "tx_hash": alert.tx_hash,
        "block": alert.block, "asset": alert.asset, "amount": amount,
        "amount_base_units": str(alert.amount), "value_jpy": "" if jpy is None else str(jpy),
        "account": trace.get("account") or ev.get("account") or ev.get("customer") or "",
        "direction": direction, "counterparty_vasp": ev.get("counterparty_vasp") or "",
        "addresses": ", ".join(alert.addresses), "as_of": alert.as_of.isoformat(),
    }
    confirmation = ev.get("confirmation") or {}
    facts = {"id": alert.id, "rule": alert.rule, "severity": alert.severity,
             "rulebook_version": alert.rulebook_version, "feed_seq": event.get("sequence"),
             "feed_hash": event.get("hash"), "stored_at": stored,
             "list_version": alert.list_version or "",
             "confirmation": confirmation.get("id", "") if isinstance(confirmation, dict)
             else ""}
    due = add_business_days(day, OFAC_BUSINESS_DAYS) if kind == "ofac" else None
    return Report(kind, act, TITLES[(kind, act)], reporter, facts, transfer, parties(alert),
                  day, due, today)
