"""Exchange events that match the JSON schema's shapes but cannot exist are dead letters.

Each case was accepted before (or crashed the consumer: ``2026-02-30`` passed the time
pattern, then ``fromisoformat`` raised ValueError inside the mapping).
"""

from __future__ import annotations

import orjson
import pytest

from ingest.exchange.schema import parse
from tests.unit.exchange.stream import ADDRESSES, ETH, event
from txmon.errors import BadRecord

BTC = {"chain": "bitcoin", "symbol": "BTC", "decimals": 8}
BTC_ADDRESS = "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"
ETH_TX = "0x" + "ab" * 32


def withdrawal(**overrides: object) -> bytes:
    fields = {"asset": ETH, "amount": "1", "withdrawal_id": "W1", "to_address": ADDRESSES[2],
              "tx_hash": ETH_TX, **overrides}
    return orjson.dumps(event(1, "withdrawal.sent", "A1", **fields))


def test_a_valid_withdrawal_passes() -> None:
    assert parse(withdrawal())["to_address"] == ADDRESSES[2]


@pytest.mark.parametrize(("raw", "reason"), [
    (orjson.dumps({**event(1, "login", "A1", ip_country="JP"), "time": "2026-02-30T10:00:00Z"}),
     "time '2026-02-30T10:00:00Z' is not a real date-time: day is out of range"),
    (orjson.dumps({**event(1, "login", "A1", ip_country="JP"), "time": "２０２６-01-01T10:00:00Z"}),
     "schema violation at time"),
    (orjson.dumps(event(1, "account.opened", "A1", customer={
        "type": "natural", "names": [{"full": "X"}], "dob": "1990-13-01"})),
     "customer/dob '1990-13-01' is not a real date"),
    (withdrawal(travel_rule={"beneficiary": {"beneficiaryPersons": [{"naturalPerson": {
        "name": {"nameIdentifier": [{"primaryIdentifier": "X"}]},
        "dateAndPlaceOfBirth": {"dateOfBirth": "1990-02-30"}}}]}}),
     "travel_rule/beneficiary/beneficiaryPersons/0/naturalPerson/dateAndPlaceOfBirth/"
     "dateOfBirth '1990-02-30' is not a real date"),
    (withdrawal(to_address=BTC_ADDRESS), "to_address: not a ethereum address"),
    (withdrawal(asset=BTC, to_address=ADDRESSES[2], tx_hash="ab" * 32),
     "to_address: not a bitcoin address"),
    (withdrawal(asset={**ETH, "chain": "dogecoin"}), "asset/chain: unknown chain 'dogecoin'"),
    (withdrawal(tx_hash="0x1"), "tx_hash '0x1' is not a ethereum transaction hash"),
    (withdrawal(amount=str(2**256)), "amount exceeds 2\\^256-1"),
    (withdrawal(amount="1_000"), "schema violation at amount"),
    (withdrawal(amount="１０"), "schema violation at amount"),
    (withdrawal(amount=10), "schema violation at amount"),
    (orjson.dumps(event(1, "deposit_address.assigned", "A1", chain="bitcoin",
                        address=ADDRESSES[0])), "address: not a bitcoin address"),
    (orjson.dumps(event(1, "deposit_address.assigned", "A1", chain="solana",
                        address=ADDRESSES[0])), "chain: unknown chain 'solana'"),
])
def test_what_cannot_exist_is_refused_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadRecord, match=reason):
        parse(raw)


def test_a_full_width_address_is_read_as_the_address_it_spells() -> None:
    """One normaliser for screening and the feed: ``０ｘ…`` is folded (NFKC), not refused."""
    from ingest.exchange.mapping import transfer

    event = parse(withdrawal(to_address="０ｘ" + ADDRESSES[2][2:]))
    assert transfer(event, "back-office").outputs[0].address == ADDRESSES[2].lower()
