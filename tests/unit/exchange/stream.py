"""A deterministic stream of exchange events with malformed ones among them.

Shared by the unit test (embedded bus) and the integration test (real Kafka), so both
check the same expectations: which events become transfers, which go to dead letters.
Counterparty addresses are real: the Ethereum deposit contract, SEMENOV Roman's listed
address, and addresses from the GraphSense Tornado Cash pack in tests/data/tags.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import orjson

ADDRESSES = ["0x00000000219ab540356cBB839Cbe05303d7705Fa",
             "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193",
             "0x8589427373D6D84E98730D7795D8f6f8731FDA16",
             "0x722122dF12D4e14e13Ac3b6895a86e84145b6967"]
ETH = {"chain": "ethereum", "symbol": "ETH", "decimals": 18}
IVMS = {"originator": {"originatorPersons": [{"naturalPerson": {"name": {"nameIdentifier": [
            {"primaryIdentifier": "Semenov", "secondaryIdentifier": "Roman",
             "nameIdentifierType": "LEGL"}]}}}]},
        "beneficiary": {"beneficiaryPersons": [{"naturalPerson": {"name": {"nameIdentifier": [
            {"primaryIdentifier": "Yamada", "secondaryIdentifier": "Taro"}]}}}]},
        "originatingVASP": {"name": "Other VASP Ltd", "country": "SG"}}


@dataclass
class Stream:
    messages: list[tuple[bytes, bytes]] = field(default_factory=list)  # (key, value)
    transfer_ids: set[str] = field(default_factory=set)
    bad: list[int] = field(default_factory=list)  # positions of malformed messages
    accounts: set[str] = field(default_factory=set)
    deposit_addresses: dict[str, str] = field(default_factory=dict)


def deposit_address(account: str) -> str:
    """One deposit address per account (an address is assigned once, to one account):
    the first 20 bytes of SHA-256 of the account id, lower-case hex."""
    return "0x" + hashlib.sha256(account.encode()).hexdigest()[:40]


def event(n: int, kind: str, account: str, **fields: object) -> dict[str, object]:
    return {"v": 1, "id": f"ev-{n}", "type": kind, "time": "2026-11-29T10:00:00Z",
            "account": account, **fields}


def _good(n: int, stream: Stream) -> dict[str, object]:
    account = f"A{n % 50}"
    step = n % 8
    if step == 0 or account not in stream.accounts:
        stream.accounts.add(account)
        return event(n, "account.opened", account, customer={
            "type": "natural", "dob": "1980-01-01", "nationality": ["JP"],
            "names": [{"full": f"Customer {account}"}]})
    if step == 1:
        address = deposit_address(account)
        stream.deposit_addresses[address] = account
        return event(n, "deposit_address.assigned", account, chain="ethereum", address=address)
    if step == 2:
        stream.transfer_ids.add(f"exchange:0x{n:064x}:0")
        return event(n, "deposit.credited", account, asset=ETH, amount=str(10**18 + n),
                     address=ADDRESSES[0], tx_hash=f"0x{n:064x}",
                     from_addresses=[ADDRESSES[3]], value_jpy=str(500_000 * n))
    if step in (3, 4):
        stream.transfer_ids.add(f"exchange:wd-W{n - step}:0")
        kind = "withdrawal.requested" if step == 3 else "withdrawal.sent"
        extra = {"tx_hash": f"0x{n:064x}"} if step == 4 else {}
        return event(n, kind, account, asset=ETH, amount="123456789012345678901234567890",
                     withdrawal_id=f"W{n - step}", to_address=ADDRESSES[2], **extra)
    if step == 5:
        stream.transfer_ids.add(f"exchange:int-ev-{n}:0")
        return event(n, "internal.transfer", account, asset=ETH, amount="5",
                     to_account=f"A{(n + 1) % 50}", travel_rule=IVMS)
    return event(n, "login", account, ip_country="JP")


_BAD = [b"not json at all", b'{"v": 2, "id": "x", "type": "login", "time": "t"}',
        b'{"v": 1, "id": "x", "type": "deposit.credited", "time": "2026-11-29T10:00:00Z",'
        b' "account": "A1", "asset": {"chain": "ethereum", "symbol": "ETH", "decimals": 18},'
        b' "address": "0xabc", "tx_hash": "0x1"}',  # no amount
        b'[1, 2, 3]',
        # regex-valid, not a real day (crashed the consumer with ValueError: issue 10)
        b'{"v": 1, "id": "x", "type": "login", "time": "2026-02-30T10:00:00Z",'
        b' "account": "A1", "ip_country": "JP"}',
        # an ETH withdrawal to a Bitcoin address
        b'{"v": 1, "id": "x", "type": "withdrawal.requested", "time": "2026-11-29T10:00:00Z",'
        b' "account": "A1", "asset": {"chain": "ethereum", "symbol": "ETH", "decimals": 18},'
        b' "amount": "1", "withdrawal_id": "W", "to_address":'
        b' "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"}']


def build(count: int = 10_000, bad_every: int = 97) -> Stream:
    """``count`` messages; every ``bad_every``-th is malformed (six kinds in turn)."""
    stream = Stream()
    for n in range(count):
        if n % bad_every == bad_every - 1:
            stream.bad.append(n)
            stream.messages.append((b"bad", _BAD[len(stream.bad) % len(_BAD)]))
            continue
        body = _good(n, stream)
        stream.messages.append((str(body["account"]).encode(), orjson.dumps(body)))
    return stream
