"""How alerts are shown: NDJSON on stdout for machines, a short summary for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import click

from txmon.models import Alert
from txmon.wire import alert_to_wire, dumps


def format_units(amount: int, decimals: int) -> str:
    """Base units → exact decimal string in the asset's unit (no float rounding)."""
    whole, frac = divmod(amount, 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole}.{digits}" if digits else str(whole)


def _amount(alert: Alert, amount: int | None = None) -> str:
    value = alert.amount if amount is None else amount
    decimals = alert.evidence.get("asset_decimals")
    if isinstance(decimals, int):
        return f"{format_units(value, decimals)} {alert.asset}"
    return f"{value} base units of {alert.asset}"


def _matches(alert: Alert) -> str:
    parts = []
    matches = alert.evidence.get("matches")
    for match in matches if isinstance(matches, list) else []:
        tags = match.get("tags", [])
        sources = sorted({t["source"] for t in tags})
        entities = sorted({t["entity"] for t in tags})
        parts.append(f"{match['address']} ({'; '.join(entities)} — {', '.join(sources)})")
    return ", ".join(parts)


def _hop_path(alert: Alert) -> str:
    exposure: Any = alert.evidence.get("exposure") or {}
    path = exposure.get("path") or []
    if not path:
        return ""
    hops = "".join(f" -[{_amount(alert, int(h['amount']))}]-> {h['to']}" for h in path)
    share = exposure.get("share_ppm", 0) / 10_000
    return f"\n    path ({exposure.get('model')}, {share:g}% tainted): {path[0]['from']}{hops}"


def _transfer_facts(alert: Alert) -> dict[str, Any]:
    """The transfer's own fields as the rule saw them (kept in every alert's trace)."""
    trace: Any = alert.evidence.get("trace") or {}
    return (trace.get("inputs") or {}).get("transfer") or {}


def where_label(alert: Alert) -> str:
    """Where the transfer is: its block, or why it has none (pending, illustrative, …)."""
    if alert.evidence.get("illustrative"):
        return "no block (illustrative: synthetic demo transfer, not on any chain)"
    if alert.block is not None:
        return f"block {alert.block}"
    facts = _transfer_facts(alert)
    if facts.get("status") == "pending":
        if facts.get("direction") == "withdrawal":
            return "pending withdrawal (not yet on chain)"
        return "pending (not yet in a block)"
    if facts.get("direction") == "internal":
        return "internal transfer (off chain)"
    if facts.get("direction") == "withdrawal":
        return "withdrawal sent (block not reported yet)"
    return "no block"


def kind_label(alert: Alert, origin: str | None = None) -> str:
    """Which judgement this is: as of a date, or retroactive with its reason and date."""
    retro: Any = alert.evidence.get("retroactive") or {}
    if not alert.retroactive:
        kind = f"as of {alert.as_of}"
    elif alert.list_version:
        published = f", published {retro['published']}" if retro.get("published") else ""
        kind = f"RETROACTIVE after {alert.list_version}{published}"
    elif retro.get("designated"):
        kind = f"RETROACTIVE: designated {retro['designated']}, after the transfer's date"
    else:
        kind = f"RETROACTIVE: {retro.get('reason') or 'listed after the transfer'}"
    mode = alert.evidence.get("mode")  # which mode raised it: live, replay-…, as-of …
    if mode and mode != "live" and not str(mode).startswith("as-of"):  # else said already
        kind += f"; {mode}"
    return f"{origin}, {kind}" if origin else kind


def _summary(alert: Alert, origin: str | None = None) -> str:
    if alert.evidence.get("parties") is not None:  # a customer / counterparty name match
        return _screening_summary(alert, origin)
    lines = [f"[{alert.severity.upper()}] {alert.rule} ({kind_label(alert, origin)}) "
             f"{alert.chain} {where_label(alert)} tx {alert.tx_hash}",
             f"    amount {_amount(alert)}"]
    matched = _matches(alert)
    if matched:
        lines.append(f"    listed: {matched}")
    return "\n".join(lines) + _hop_path(alert)


def _screening_summary(alert: Alert, origin: str | None) -> str:
    """A name-match alert of screening/alerting.py: who, which listed party, which record."""
    ev: Any = alert.evidence
    subject = (f"customer {ev['customer']}" if ev.get("customer") else
               f"{alert.transfer_id} amount {_amount(alert)} counterparty "
               f"{', '.join(ev.get('names') or [])}")
    parties = "; ".join(f"{p.get('party')} ({p['source']} {p['list_id']}, {p['outcome']})"
                        for p in ev["parties"])
    record = (ev.get("confirmation") or {}).get("id", "")
    return (f"[{alert.severity.upper()}] {alert.rule} ({kind_label(alert, origin)}) {subject}"
            f"\n    listed: {parties}\n    confirmation {record}")


def _lifecycle_line(event: dict[str, Any]) -> str:
    """One later fact about an alert (see alerts/lifecycle.py and alerts/delisting.py)."""
    data, kind = event["data"], event["type"].split(".")[-2]
    if kind == "retracted":
        return f"    RETRACTED: block {data['block']} {data['block_hash']} — {data['reason']}"
    if kind == "reincluded":
        return f"    re-included: block {data['block']} {data['block_hash']}"
    if kind == "delisted":
        return (f"    delisted {data['delisted_on']}: {data['address']} ({data['party']} — "
                f"{data['source']}, edition {data['edition']})")
    return f"    {event['type']}"


def print_alerts(alerts: Iterable[Alert], as_json: bool, origin: str | None = None,
                 lifecycle: Mapping[str, list[dict[str, Any]]] | None = None) -> int:
    """Print alerts with their lifecycle events (retracted, delisted, …); return how many.

    ``origin`` labels a whole run ("replay").
    """
    count = 0
    for alert in alerts:
        count += 1
        events = (lifecycle or {}).get(alert.id, [])
        if as_json:
            wire = alert_to_wire(alert)
            if events:
                wire["lifecycle"] = [{"type": e["type"], "sequence": e["sequence"],
                                      "data": e["data"]} for e in events]
            click.echo(dumps(wire).decode())
        else:
            click.echo("\n".join([_summary(alert, origin), *map(_lifecycle_line, events)]))
    return count
