"""USD valuation from the dated price table: exact integer cents, latest price on or before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rules.prices import PriceTable
from tests.unit.rules.factory import ETH, USDT
from txmon.errors import ConfigError

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


def test_shipped_stablecoin_prices() -> None:
    table = PriceTable.load(SEEDS / "prices.csv")
    assert table.usd_cents(USDT, 1_234_567_891, dt.date(2022, 3, 15)) == 123_456
    assert table.usd_cents(USDT, 1, dt.date(2017, 11, 27)) is None  # before the contract
    assert table.usd_cents(ETH, 10**18, dt.date(2022, 3, 15)) is None  # not shipped


def test_latest_price_on_or_before_and_uint256(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("date,asset,usd\n2022-01-01,ethereum:ETH,3000.125\n"
                    "2022-01-03,ethereum:ETH,2999.99\n")
    table = PriceTable.load(path)
    assert table.usd_cents(ETH, 10**18, dt.date(2022, 1, 2)) == 300_012
    assert table.usd_cents(ETH, 10**18, dt.date(2022, 1, 3)) == 299_999
    assert table.usd_cents(ETH, 2**255, dt.date(2022, 1, 3)) == 2**255 * 299_999 // 10**18


def test_bad_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("date,asset,usd\n2022-01-01,ethereum:ETH,abc\n")
    with pytest.raises(ConfigError, match=r"p\.csv:2: bad price row"):
        PriceTable.load(path)
