"""How alerts are shown: NDJSON on stdout for machines, a short table for people."""

from __future__ import annotations

from collections.abc import Iterable

import click

from txmon.models import Alert
from txmon.wire import alert_to_wire, dumps


def format_units(amount: int, decimals: int) -> str:
    """Base units → exact decimal string in the asset's unit (no float rounding)."""
    whole, frac = divmod(amount, 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole}.{digits}" if digits else str(whole)


def _sanction_summary(alert: Alert) -> str:
    matches = alert.evidence.get("matches", [])
    parts = []
    for match in matches:  # type: ignore[union-attr]
        tags = match.get("tags", [])
        sources = sorted({t["source"] for t in tags})
        entities = sorted({t["entity"] for t in tags})
        parts.append(f"{match['address']} ({'; '.join(entities)} — {', '.join(sources)})")
    return ", ".join(parts)


def _amount(alert: Alert) -> str:
    decimals = alert.evidence.get("asset_decimals")
    if isinstance(decimals, int):
        return f"{format_units(alert.amount, decimals)} {alert.asset}"
    return f"{alert.amount} base units of {alert.asset}"


def print_alerts(alerts: Iterable[Alert], as_json: bool) -> int:
    """Print alerts; return how many."""
    count = 0
    for alert in alerts:
        count += 1
        if as_json:
            click.echo(dumps(alert_to_wire(alert)).decode())
            continue
        click.echo(
            f"[{alert.severity.upper()}] {alert.rule} {alert.chain} block {alert.block} "
            f"tx {alert.tx_hash}\n    amount {_amount(alert)}; "
            f"addresses: {_sanction_summary(alert)}"
        )
    return count
