from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.exchange.mapping import effects
from tests.unit.exchange.stream import ADDRESSES, ETH, IVMS, event
from txmon.customers import Accounts, account_for
from txmon.errors import InvalidAddress
from txmon.models import TransferKind, TransferStatus
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer, encode_transfer

TX_A, TX_B = "0x" + "aa" * 32, "0x" + "bb" * 32


def test_deposit_becomes_a_canonical_transfer() -> None:
    body = event(7, "deposit.credited", "A1", asset=ETH, amount="1500000000000000000",
                 address=ADDRESSES[0], tx_hash=TX_A, output_index=0,
                 from_addresses=[ADDRESSES[3]], value_jpy="30000001", travel_rule=IVMS)
    [t] = effects(body).transfers
    assert t.id == f"exchange:{TX_A}:0" and t.kind == TransferKind.EXCHANGE
    assert t.asset.key == "ethereum:ETH"
    assert [(leg.address, leg.amount) for leg in t.inputs] == [(ADDRESSES[3].lower(),
                                                                 1_500_000_000_000_000_000)]
    assert [(leg.address, leg.amount) for leg in t.outputs] == [(ADDRESSES[0].lower(),
                                                                  1_500_000_000_000_000_000)]
    assert t.block_time == dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC)
    assert t.exchange is not None
    assert (t.exchange.account, t.exchange.direction, t.exchange.counterparty_vasp) == (
        "A1", "deposit", "Other VASP Ltd")
    assert (t.exchange.originator, t.exchange.beneficiary) == ("Roman Semenov", "Taro Yamada")
    assert t.extra == {"event_type": "deposit.credited", "onchain_tx": TX_A,
                       "value_jpy": "30000001", "mof_report": "over-30m-jpy",
                       "counterparty_country": "SG"}  # the originating VASP's country
    assert decode_transfer(encode_transfer(t)) == t


def test_withdrawal_keeps_its_id_from_request_to_sent() -> None:
    common = {"asset": ETH, "amount": "123456789012345678901234567890", "withdrawal_id": "W9",
              "to_address": ADDRESSES[2], "value_jpy": "30000000"}
    [requested] = effects(event(1, "withdrawal.requested", "A1", **common)).transfers
    [sent] = effects(event(2, "withdrawal.sent", "A1", tx_hash=TX_B, **common)).transfers
    assert requested.id == sent.id == "exchange:wd-W9:0"
    assert (requested.status, sent.status) == (TransferStatus.PENDING, TransferStatus.CONFIRMED)
    assert sent.amount == 123456789012345678901234567890
    assert "mof_report" not in sent.extra  # exactly ¥30,000,000 is not above the threshold


def test_internal_transfer_between_accounts() -> None:
    [t] = effects(event(3, "internal.transfer", "A1", asset=ETH, amount="5",
                        to_account="A2")).transfers
    assert (t.id, t.inputs[0].address, t.outputs[0].address) == (
        "exchange:int-ev-3:0", "account:A1", "account:A2")


def test_store_effects_link_accounts(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    for body in (event(1, "account.opened", "A1", customer={"type": "natural", "names": [
                     {"full": "Taro Yamada"}], "residence": "JP"}),
                 event(2, "deposit_address.assigned", "A1", chain="ethereum",
                       address=ADDRESSES[1]),
                 event(3, "login", "A1", ip_country="KP")):
        store.put_many(effects(body).items)
    assert account_for(store, ADDRESSES[1]) == "A1"  # any case finds it
    assert account_for(store, ADDRESSES[1].lower()) == "A1"
    assert account_for(store, ADDRESSES[0]) is None
    accounts = Accounts(store)
    assert accounts.customer("A1")["names"] == [{"full": "Taro Yamada"}]
    assert accounts.login_country("A1") == "KP"
    store.close()


def test_broken_address_is_a_bad_record() -> None:
    with pytest.raises(InvalidAddress):
        effects(event(1, "deposit_address.assigned", "A1", chain="ethereum",
                      address="0xdcbEfFBECcE100cCE9E4b153C4e15cB885643194"))
