"""USD amounts from a dated price table (``seeds/prices.csv``), as integer cents.

The table is data, not a live feed, so a replay values a transfer exactly as the live run
did. Each row is ``date,asset,usd`` where ``asset`` is an :attr:`Asset.key`
(``ethereum:ETH`` for a native coin, ``ethereum:0x…`` lower-case for a token — never a
bare symbol, because anyone can deploy a token called USDT) and ``usd`` a decimal string.
A transfer is valued at the latest price on or before its block date; no price → ``None``.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from txmon.errors import ConfigError
from txmon.models import Asset


class PriceTable:
    """Dated USD prices per asset key; exact decimal arithmetic, floored to cents."""

    def __init__(self, rows: dict[str, list[tuple[dt.date, Decimal]]]) -> None:
        self._rows = {key: sorted(values) for key, values in rows.items()}
        self._dates = {key: [d for d, _ in values] for key, values in self._rows.items()}

    @classmethod
    def load(cls, path: Path) -> PriceTable:
        """Read the CSV; a malformed row stops start-up (a wrong price is a wrong alert)."""
        rows: dict[str, list[tuple[dt.date, Decimal]]] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    day = dt.date.fromisoformat(row["date"])
                    price = Decimal(row["usd"])
                    key = row["asset"].strip()
                except (KeyError, ValueError, InvalidOperation, AttributeError) as exc:
                    raise ConfigError(f"{path}:{n}: bad price row: {exc}") from exc
                key = key.lower() if ":0x" in key else key
                rows.setdefault(key, []).append((day, price))
        return cls(rows)

    def price(self, asset: Asset, day: dt.date) -> Decimal | None:
        key = asset.key.lower() if asset.contract else asset.key
        dates = self._dates.get(key)
        if not dates:
            return None
        i = bisect.bisect_right(dates, day)
        return self._rows[key][i - 1][1] if i else None

    def usd_cents(self, asset: Asset, amount: int, day: dt.date) -> int | None:
        """``amount`` base units in US cents, floored; None when no price is known."""
        price = self.price(asset, day)
        if price is None:
            return None
        exact = Fraction(price) * amount * 100 / 10**asset.decimals  # exact for uint256
        return exact.numerator // exact.denominator
