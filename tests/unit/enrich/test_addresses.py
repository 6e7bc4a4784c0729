"""Address normalisation on real OFAC entries and the BIP-173/350 and EIP-55 rules."""

from __future__ import annotations

import collections

import pytest

from enrich.sources.ofac_address_list import asset_of, entries
from txmon.addresses import normalize
from txmon.errors import InvalidAddress


def test_every_ofac_list_entry_normalises_to_the_family_of_its_format(list_files):
    families: collections.Counter[tuple[str, str]] = collections.Counter()
    for path in list_files:
        for _, raw in entries(path):
            families[(asset_of(path), normalize(raw).chain_family)] += 1
    assert families[("XBT", "bitcoin")] == 434
    assert families[("XBT", "tron")] == 1  # OFAC filed a TRON address under XBT
    assert families[("ETH", "evm")] == 152
    assert families[("USDT", "evm")] == 8
    assert families[("USDT", "tron")] == 11
    assert families[("USDT", "bitcoin")] == 7  # Omni on Bitcoin addresses
    assert families[("BCH", "other")] == 6  # CashAddr without prefix, checksum verified
    assert families[("LTC", "other")] == 10
    assert families[("XMR", "unknown")] == 3  # kept verbatim, never dropped
    assert sum(families.values()) == 654


def test_tron_address_in_the_xbt_list_comes_out_as_tron():
    found = normalize("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")
    assert (found.chain_family, found.kind, found.address) == (
        "tron", "account", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")


def test_evm_is_lowercased_and_mixed_case_must_be_eip55():
    good = "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc"  # Tornado Cash, OFAC ETH list
    assert normalize(good).address == good.lower()
    assert normalize(good.upper().replace("0X", "0x")).address == good.lower()
    with pytest.raises(InvalidAddress, match="EIP-55"):
        normalize(good[:-1] + "C")
    with pytest.raises(InvalidAddress, match="20-byte"):
        normalize("0x169AD27A470D064DEDE56a2D3ff727986b15D5")  # cut at OFAC's limit


@pytest.mark.parametrize(("address", "kind", "network"), [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "p2wpkh", "mainnet"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "p2tr", "mainnet"),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "p2tr", "testnet"),
    ("bc1qwz0l2ceddckwdy5rh6zyrm3x4ha6gn5f2da5zg", "p2wpkh", "mainnet"),
    ("3K35dyL85fR9ht7UgzPfd1gLRRXQtNTqE3", "p2sh", "mainnet"),
    ("12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9", "p2pkh", "mainnet"),
])
def test_bitcoin_formats(address, kind, network):
    found = normalize(address)
    assert (found.chain_family, found.kind, found.network) == ("bitcoin", kind, network)
    assert found.address == (address.lower() if address.lower().startswith("bc1")
                             or address.startswith("tb1") else address)


@pytest.mark.parametrize("address", [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # v1 with bech32
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # v16 with bech32
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # bad checksum
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyX",  # bad base58check checksum
    "3F6bbvS1krsc1qR8FsbTDfYQyvkMm",  # OFAC SDN.CSV cut fragment
])
def test_broken_checksummed_strings_are_invalid(address):
    with pytest.raises(InvalidAddress):
        normalize(address)


def test_other_families_are_verified_or_kept():
    assert normalize("bitcoincash:qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq").address == (
        "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq")
    assert normalize("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66").kind == "xrp"
    assert normalize("t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL").chain_family == "other"
    hex32 = "0xA08FD235DB5DE8023721B5F9B6E29C0EE5253982CCDD423A1CD9F682AE745821"
    assert normalize(hex32).address == hex32.lower().replace("0x", "0x")
    assert normalize(hex32).chain_family == "unknown"
    assert not normalize("qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhr").verified
    with pytest.raises(InvalidAddress):
        normalize("   ")


EVM_LISTED = "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193"


@pytest.mark.parametrize("raw", [
    EVM_LISTED[2:],  # 40 hex without 0x
    EVM_LISTED[2:].upper(),
    "０ｘ" + EVM_LISTED[2:],  # full-width 0x (NFKC)
    "".join(chr(ord(c) + 0xFEE0) for c in EVM_LISTED),  # all full-width
    EVM_LISTED[:5] + "\u200b\u00ad" + EVM_LISTED[5:] + "\ufeff",  # invisible characters
])
def test_lookalike_forms_have_one_reading(raw: str) -> None:
    normal = normalize(raw)
    assert (normal.chain_family, normal.address) == ("evm", EVM_LISTED.lower())


def test_40_hex_without_prefix_keeps_its_checksum() -> None:
    with pytest.raises(InvalidAddress, match="EIP-55"):
        normalize(EVM_LISTED[2:-1] + "4")


def test_fullwidth_bech32_is_bitcoin() -> None:
    bech32 = "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in bech32)
    assert normalize(fullwidth).address == bech32


def test_hot_path_key_is_the_normal_form_in_any_case(list_files):
    """The index/history key folds only what ``normalize`` folds: every OFAC address, in
    its listed spelling and upper-cased where its encoding ignores case, keys as its normal
    form (so a list's spelling and ingest's meet in the index and in history)."""
    from txmon.addresses import index_key, key_text

    seen = 0
    for path in list_files:
        for _, raw in entries(path):
            normal = normalize(raw)
            assert key_text(normal.address) == normal.address
            if normal.chain_family == "evm" or normal.address.startswith("bc1"):
                assert key_text(normal.address.upper().replace("0X", "0x")) == normal.address
                seen += 1
    assert seen == 245  # 160 EVM + 85 bech32 entries of the shipped OFAC lists
    assert index_key("0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc") == bytes.fromhex(
        "12d66f87a04a9e220743712ce6d9bb1b5616b8fc")


def test_ingest_encoder_and_normalize_share_one_codec():
    """An address ingest encodes from a script (txmon.addresses.bech32/base58) is read back
    by ``normalize`` as the same family, kind and text: one implementation, not two."""
    from txmon.addresses.base58 import b58check_encode
    from txmon.addresses.bech32 import encode_segwit_address
    from txmon.addresses.networks import MAINNET, REGTEST

    program = bytes(range(32))
    taproot = encode_segwit_address(MAINNET.hrp, 1, program)
    assert (normalize(taproot).kind, normalize(taproot).address) == ("p2tr", taproot)
    regtest = encode_segwit_address(REGTEST.hrp, 0, program[:20])
    assert (normalize(regtest).network, normalize(regtest).kind) == ("regtest", "p2wpkh")
    legacy = b58check_encode(MAINNET.p2sh_version, program[:20])
    assert (normalize(legacy).chain_family, normalize(legacy).kind) == ("bitcoin", "p2sh")
