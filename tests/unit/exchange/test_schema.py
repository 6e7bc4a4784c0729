from __future__ import annotations

import orjson
import pytest

from ingest.exchange.schema import BadEvent, parse
from tests.unit.exchange.stream import ADDRESSES, ETH, IVMS, event


def test_valid_events_pass() -> None:
    for body in (
        event(1, "account.opened", "A1", customer={"type": "natural", "names": [
            {"full": "山田 太郎", "kind": "native", "script": "Jpan"},
            {"full": "Taro Yamada"}], "dob": "1980-01-01", "nationality": ["JP"],
            "residence": "JP"}),
        event(2, "withdrawal.sent", "A1", asset=ETH, amount="1", withdrawal_id="W1",
              to_address=ADDRESSES[2], tx_hash="0x" + "ab" * 32, travel_rule=IVMS,
              value_jpy="31000000"),
        event(3, "login", "A1", ip_country="KP"),
    ):
        assert parse(orjson.dumps(body))["id"] == body["id"]


@pytest.mark.parametrize(("raw", "reason"), [
    (b"\xff\xfe not json", "not JSON"),
    (b"[1]", "not a JSON object"),
    (b'{"v": 2, "id": "e", "type": "login", "time": "2026-01-01T00:00:00Z"}',
     "unknown schema version 2"),
    (b'{"v": true, "id": "e", "type": "login", "time": "2026-01-01T00:00:00Z"}',
     "unknown schema version True"),  # found by hypothesis: True == 1 in Python
    (orjson.dumps(event(1, "deposit.credited", "A1", asset=ETH, address="0xabc",
                        tx_hash="0x1")), "'amount' is a required property"),
    (orjson.dumps(event(1, "deposit.credited", "A1", asset=ETH, amount="1.5", address="0xabc",
                        tx_hash="0x1")), "schema violation at amount"),
    (orjson.dumps(event(1, "login", "A1", ip_country="Japan")), "schema violation at ip_country"),
    (orjson.dumps(event(1, "withdrawal.sent", "A1", asset=ETH, amount="1", withdrawal_id="W",
                        to_address="0xabc")), "'tx_hash' is a required property"),
])
def test_bad_events_are_named(raw: bytes, reason: str) -> None:
    with pytest.raises(BadEvent, match=reason):
        parse(raw)
