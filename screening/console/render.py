"""Jinja2 templates (package data under screening/console/templates) and their filters."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from txmon.cli.output import format_units

# Pages are the user's own data: never cached by a shared proxy, never framed, and only
# our own scripts and styles run (no inline script, no CDN: everything is served here).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def units(amount: Any, decimals: Any, asset: str = "") -> str:
    """Base units as the asset's unit, exactly (no float), with thousands separators."""
    if not isinstance(decimals, int):
        return f"{amount} base units {asset}".strip()
    text = format_units(int(amount), decimals)
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return f"{grouped} {asset}".strip()


def short(address: Any, keep: int = 10) -> str:
    text = str(address)
    return text if len(text) <= keep * 2 + 1 else f"{text[:keep]}…{text[-6:]}"


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def when(value: Any) -> str:
    """``2021-08-02T09:00:00Z`` → ``2021-08-02 09:00:00 UTC`` (dates stay dates)."""
    if not value:
        return "—"
    text = str(value).replace("T", " ").replace("+00:00", "").rstrip("Z")
    return f"{text.split('.')[0]} UTC" if " " in text else text


ENV = Environment(loader=PackageLoader("screening.console", "templates"),
                  autoescape=select_autoescape(["html", "svg"]), trim_blocks=True,
                  lstrip_blocks=True)
ENV.filters.update(units=units, short=short, pretty=pretty, when=when)


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(ENV.get_template(name).render(**context), status_code=status,
                        headers=SECURITY_HEADERS)
