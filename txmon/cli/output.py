"""How alerts are shown: NDJSON on stdout for machines, a short summary for people."""

from __future__ import annotations

from collections.abc import Iterable
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
    for match in alert.evidence.get("matches", []):  # type: ignore[union-attr]
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


def _summary(alert: Alert) -> str:
    kind = (f"RETROACTIVE after {alert.list_version}" if alert.retroactive
            else f"as of {alert.as_of}")
    if mode := alert.evidence.get("mode"):  # which mode raised it: live, replay-…, as-of …
        kind += f"; {mode}"
    where = f"block {alert.block}" if alert.block is not None else "no block (illustrative)"
    lines = [f"[{alert.severity.upper()}] {alert.rule} ({kind}) {alert.chain} {where} "
             f"tx {alert.tx_hash}", f"    amount {_amount(alert)}"]
    matched = _matches(alert)
    if matched:
        lines.append(f"    listed: {matched}")
    return "\n".join(lines) + _hop_path(alert)


def print_alerts(alerts: Iterable[Alert], as_json: bool) -> int:
    """Print alerts; return how many."""
    count = 0
    for alert in alerts:
        count += 1
        click.echo(dumps(alert_to_wire(alert)).decode() if as_json else _summary(alert))
    return count
