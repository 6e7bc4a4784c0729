"""Address derivation for every output script type: real mainnet scripts, constructed ones.

Real outputs are cross-checked against python-bitcoinlib's own address code (which uses
mainnet parameters when ``SelectParams`` was never called) — an independent path through
base58 and bech32 — and against bitcoind's verbose JSON where a fixture has it.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from bitcoin.core.script import CScript
from bitcoin.wallet import CBitcoinAddress, P2PKHBitcoinAddress

from ingest.bitcoin.parse import parse_block
from ingest.bitcoin.scripts import describe, hash160, script_key
from txmon.addresses.networks import MAINNET, REGTEST, TESTNET, Network

from .conftest import raw_block, verbose_block

EXPECTED_TYPES = {  # every output of each real block, by script type
    "block169482.dat": {"p2pkh": 228, "p2pk": 1, "nonstandard": 2},
    "block300025.raw": {"p2pkh": 1221, "nonstandard": 3, "multisig": 2},
    "block482683.raw": {"p2pkh": 20, "p2sh": 4, "nulldata": 1},
    "block_13b8a.hex": {"p2pkh": 12, "p2pk": 2},
    "block702861.raw": {"p2pkh": 1660, "p2sh": 1816, "p2wpkh": 2383, "p2wsh": 133, "nulldata": 23},
}


def _outputs(name: str) -> list[bytes]:
    return [bytes(out.scriptPubKey) for ptx in parse_block(raw_block(name)).txs for out in ptx.vout]


@pytest.mark.parametrize("name", sorted(EXPECTED_TYPES))
def test_real_outputs_classify_and_match_python_bitcoinlib(name: str) -> None:
    counts: Counter[str] = Counter()
    for script in _outputs(name):
        info = describe(script, MAINNET)
        counts[info.script_type] += 1
        if info.script_type in ("p2pkh", "p2sh", "p2wpkh", "p2wsh"):
            assert info.address == str(CBitcoinAddress.from_scriptPubKey(CScript(script)))
        elif info.script_type == "p2pk":
            assert info.address == str(P2PKHBitcoinAddress.from_pubkey(script[1:-1]))
        else:
            assert info.address == "script:" + hashlib.sha256(script).hexdigest()
    assert dict(counts) == EXPECTED_TYPES[name]


def test_genesis_p2pk_output_is_reported_as_its_p2pkh_address() -> None:
    out = verbose_block(0)["tx"][0]["vout"][0]["scriptPubKey"]
    info = describe(bytes.fromhex(out["hex"]), MAINNET)
    assert (info.script_type, info.address) == ("p2pk", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert out["addresses"] == [info.address]  # bitcoind (pre-v22) reported the same


def test_real_bare_multisig_keeps_the_script_and_every_key() -> None:
    ptx = next(
        t
        for t in parse_block(raw_block("block300025.raw")).txs
        if t.txid == "1a02e7fd2a252ed146435ef1791b806996773a14f5e8f753df8bc3467104d664"
    )
    script = bytes(ptx.vout[0].scriptPubKey)
    info = describe(script, MAINNET)
    pushed = [data for _, data, _ in CScript(script).raw_iter()][1:-2]
    assert info.script_type == "multisig"  # 1-of-3 with data in the "keys" (Counterparty)
    assert info.address == script_key(script)
    assert info.keys == tuple(
        str(P2PKHBitcoinAddress.from_pubkey(k, accept_invalid=True)) for k in pushed
    )
    assert info.keys == (
        "1Hx56EVNE5L21cGgegBY1ag8tRfAgXvMnu",
        "1ApsuCdDBXnFwVuy3EbpLxUoaoDwYBkkdC",
        "1FvXo7PSxHzFx79AwFF49zPaugGR7G5bb3",
    )


def test_real_multisig_shaped_script_with_a_non_key_push_is_nonstandard() -> None:
    # block 300,025, tx 474f5264…: OP_1 <key> <33 bytes of data, prefix 0x20> OP_2 CHECKMULTISIG
    script = bytes.fromhex(
        "5121027ed37d607ad691646dbc091d26866b8951fb50b300d33e9093c4d2bb7aad5d5b21204348414e"
        "4345434f000000280000000017d78400403e000000000000400a666652ae"
    )
    assert describe(script, MAINNET).script_type == "nonstandard"


P2TR = bytes.fromhex("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
KEY33 = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
KEY65 = bytes.fromhex(
    "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
)  # the secp256k1 generator point G, compressed and uncompressed


@pytest.mark.parametrize(
    ("script", "script_type", "address"),
    [
        (P2TR, "p2tr", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
        (bytes.fromhex("51024e73"), "anchor", "bc1pfeessrawgf"),
        (bytes.fromhex("6002751e"), "witness_unknown", "bc1sw50qgdz25j"),
        (b"\x21" + KEY33 + b"\xac", "p2pk", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"),
        (b"\x41" + KEY65 + b"\xac", "p2pk", "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"),
    ],
)
def test_constructed_scripts(script: bytes, script_type: str, address: str) -> None:
    info = describe(script, MAINNET)
    assert (info.script_type, info.address) == (script_type, address)


@pytest.mark.parametrize(
    ("script_hex", "script_type"),
    [
        ("", "nonstandard"),
        ("6a", "nulldata"),
        ("6a0b68656c6c6f20776f726c64", "nulldata"),  # OP_RETURN "hello world"
        ("6a93", "nonstandard"),  # OP_RETURN OP_ADD: not push-only
        ("6a4c", "nonstandard"),  # OP_RETURN OP_PUSHDATA1 with no length: truncated
        ("0019" + "00" * 25, "nonstandard"),  # witness v0 with a 25-byte program
        ("21" + "05" + "00" * 32 + "ac", "nonstandard"),  # P2PK shape, invalid key prefix
        ("76a914" + "00" * 20 + "88ad", "nonstandard"),  # P2PKH with CHECKSIGVERIFY
    ],
)
def test_scripts_without_an_address_are_keyed_by_their_hash(
    script_hex: str, script_type: str
) -> None:
    script = bytes.fromhex(script_hex)
    info = describe(script, MAINNET)
    assert (info.script_type, info.address) == (script_type, script_key(script))
    assert info.address == "script:" + hashlib.sha256(script).hexdigest()


def test_constructed_two_of_three_multisig_reports_each_key() -> None:
    script = b"\x52" + (b"\x21" + KEY33) * 2 + b"\x41" + KEY65 + b"\x53\xae"
    info = describe(script, MAINNET)
    assert info.script_type == "multisig"
    assert info.keys == (
        "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
        "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
        "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm",
    )
    assert describe(b"\x53" + (b"\x21" + KEY33) * 2 + b"\x52\xae", MAINNET).script_type == (
        "nonstandard"  # 3-of-2
    )


@pytest.mark.parametrize(
    ("net", "p2pkh", "p2sh", "p2wpkh"),
    [
        (MAINNET, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "3", "bc1q"),
        (TESTNET, "mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", "2", "tb1q"),
        (REGTEST, "mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", "2", "bcrt1q"),
    ],
)
def test_network_parameters_are_explicit(net: Network, p2pkh: str, p2sh: str, p2wpkh: str) -> None:
    digest = hash160(KEY33)
    assert describe(b"\x76\xa9\x14" + digest + b"\x88\xac", net).address == p2pkh
    assert describe(b"\xa9\x14" + digest + b"\x87", net).address.startswith(p2sh)
    assert describe(b"\x00\x14" + digest, net).address.startswith(p2wpkh)
