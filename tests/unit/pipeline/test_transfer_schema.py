"""The transfer schema on the bus: real records pass, records that cannot exist do not.

Every refused case below was accepted by the engine on main (or crashed it): the schema is
the boundary where a record that no chain can produce is dead-lettered with the reason.
"""

from __future__ import annotations

import copy
import datetime as dt

import orjson
import pytest

from tests.pipeline_scenario import scenario
from txmon.errors import BadRecord
from txmon.models import Asset, ExchangeContext, Leg, Transfer, TransferKind
from txmon.settings import SEEDS_DIR
from txmon.wire import decode_transfer, encode_transfer

ETH_RECORD = orjson.loads(encode_transfer(scenario()[0]))
BTC = Asset("bitcoin", "BTC", 8)
REGTEST = "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw"
TESTNET = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"  # BIP-173 test vector
SCRIPT_KEY = "script:058cabede3087fb00e25cb3ba543c3118d3b5f089e5b2b093735167c2b7f6d3e"


def bitcoin_transfer(network: str = "mainnet", *outputs: Leg) -> Transfer:
    return Transfer(
        chain="bitcoin", network=network, asset=BTC, tx_hash="ab" * 32, index=0,
        block_number=300_025, block_hash="00" * 32,
        block_time=dt.datetime(2014, 5, 9, tzinfo=dt.UTC),
        inputs=(Leg("coinbase", 2_500_000_000, "coinbase"),),
        outputs=outputs or (Leg("1Hx56EVNE5L21cGgegBY1ag8tRfAgXvMnu", 1, "p2pkh"),
                            Leg("bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6", 2, "p2wpkh"),
                            Leg(SCRIPT_KEY, 5460, "multisig")))


@pytest.mark.parametrize("name", ["transfers.ndjson", "illustrative.ndjson"])
def test_the_shipped_demo_transfers_pass(name: str) -> None:
    lines = (SEEDS_DIR / "demo" / name).read_bytes().splitlines()
    assert all(encode_transfer(decode_transfer(line)) == line for line in lines if line)


def test_bitcoin_coinbase_script_and_segwit_legs_pass() -> None:
    for transfer in (bitcoin_transfer(),
                     bitcoin_transfer("regtest", Leg(REGTEST, 1))):
        assert decode_transfer(encode_transfer(transfer)) == transfer


def test_a_back_office_withdrawal_passes() -> None:
    transfer = Transfer(
        chain="exchange", network="back-office", asset=Asset("ethereum", "ETH", 18),
        tx_hash="wd-W77", index=0, block_number=None, block_hash=None,
        block_time=dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC),
        inputs=(Leg("account:A-1001", 5),),
        outputs=(Leg("0x8589427373d6d84e98730d7795d8f6f8731fda16", 5),),
        kind=TransferKind.EXCHANGE, exchange=ExchangeContext("A-1001", "withdrawal"))
    assert decode_transfer(encode_transfer(transfer)) == transfer


def mutated(path: str, value: object) -> bytes:
    record = copy.deepcopy(ETH_RECORD)
    *parents, last = path.split(".")
    target = record
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return orjson.dumps(record)


@pytest.mark.parametrize(("raw", "reason"), [
    (mutated("inputs.0.address", 7), "inputs.0.address: Input should be a valid string"),
    (mutated("inputs.0.address", None), "inputs.0.address: Input should be a valid string"),
    (mutated("outputs.0.amount", str(2**256)), "outputs.0.amount: Value error, exceeds 2^256-1"),
    (mutated("outputs.0.amount", "1_000"), "outputs.0.amount: String should match pattern"),
    (mutated("outputs.0.amount", "１０００"), "outputs.0.amount: String should match pattern"),
    (mutated("outputs.0.amount", "0010"), "outputs.0.amount: String should match pattern"),
    (mutated("outputs.0.amount", 1000), "outputs.0.amount: Input should be a valid string"),
    (mutated("outputs.0.amount", 1e3), "outputs.0.amount: Input should be a valid string"),
    (mutated("outputs.0.amount", True), "outputs.0.amount: Input should be a valid string"),
    (mutated("fee", "-1"), "fee: String should match pattern"),
    (mutated("index", 0.0), "index: Input should be a valid integer"),
    (mutated("index", True), "index: Input should be a valid integer"),
    (mutated("index", -1), "index: Input should be greater than or equal to 0"),
    (mutated("chain", "dogecoin"), "unknown chain 'dogecoin'"),
    (mutated("tx_hash", "0x" + "11" * 10), "is not a ethereum hash"),
    (mutated("block_hash", "ab" * 32), "block_hash 'abab"),
    (mutated("block_time", "2026-02-30T10:00:00Z"), "block_time: Value error, day is out of"),
    (mutated("block_time", "2026-01-01 10:00"), "block_time: Value error, not a UTC time"),
    (mutated("outputs.0.address", "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"),
     "outputs.0.address: not a ethereum address"),
    (mutated("outputs.0.address", "０ｘ722122df12d4e14e13ac3b6895a86e84145b6967"),
     "outputs.0.address: not a ethereum address"),
    (mutated("outputs.0.address", "722122df12d4e14e13ac3b6895a86e84145b6967"),
     "outputs.0.address: not a ethereum address"),
    (mutated("outputs.0.address", "0x722122dF12D4e14e13Ac3b6895a86e84145b6968"),
     "outputs.0.address: EIP-55 checksum fails"),
    (mutated("asset.chain", "bitcoin"), "asset of chain 'bitcoin' on ethereum"),
    (mutated("asset.symbol", "X" * 65), "asset.symbol: String should have at most 64"),
    (mutated("extra", {"k": "v" * 5000}), "extra.k: String should have at most 4096"),
    (mutated("id", "ethereum:0xother:0"), "is not chain:tx_hash:index"),
    (mutated("outputs", []), "outputs: List should have at least 1 item"),
    (mutated("surprise", 1), "surprise: Extra inputs are not permitted"),
    (encode_transfer(bitcoin_transfer("mainnet", Leg(TESTNET, 1))),
     "a testnet address on bitcoin mainnet"),
    (encode_transfer(bitcoin_transfer("mainnet", Leg("script:abc", 1))), "not a script key"),
    (b'{"chain": "exchange", "network": "back-office", "asset": {"chain": "ethereum", '
     b'"symbol": "ETH", "decimals": 18}, "tx_hash": "wd-W1", "index": 0, "inputs": [], '
     b'"outputs": [{"address": "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6", "amount": "1"}]}',
     "outputs.0.address: not a ethereum address"),
    (b"[]", "Input should be a valid dictionary"),
])
def test_what_cannot_exist_is_refused_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadRecord) as caught:
        decode_transfer(raw)
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 1200  # never the (possibly huge) value itself


def test_a_long_hash_is_cut_in_the_reason() -> None:
    with pytest.raises(BadRecord) as caught:
        decode_transfer(mutated("tx_hash", "0x" + "1" * 100))
    assert len(str(caught.value)) < 300
