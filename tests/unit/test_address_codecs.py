"""BIP-173 (Bech32) and BIP-350 (Bech32m) test vectors, and the fast segwit encoder."""

from __future__ import annotations

import random

import pytest

from ingest.bitcoin.scripts import describe
from txmon.addresses.bech32 import (
    Encoding,
    bech32_decode,
    bech32_encode,
    decode_segwit_address,
    encode_segwit_address,
)
from txmon.addresses.networks import MAINNET, TESTNET
from txmon.errors import InvalidAddress

VALID_BECH32 = [  # BIP-173 "Test vectors": valid Bech32 strings
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11" + "q" * 82 + "c8247j",  # 90 characters, the maximum
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
VALID_BECH32M = [  # BIP-350 "Test vectors for Bech32m": valid Bech32m strings
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11" + "l" * 83 + "udsr8",  # 90 characters, the maximum
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]
VALID_SEGWIT = [  # BIP-350 valid segwit addresses with their scriptPubKey
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]
INVALID_SEGWIT = [  # BIP-350 invalid segwit addresses, each with the BIP's reason
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid hrp
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 for v1
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",  # bech32 for v2
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 for v16
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m for v0
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",  # bech32m for v0
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid character
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
    "bc1pw5dgrnzv",  # program of 1 byte
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # padding > 4 bits
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",  # non-zero padding
    "bc1gmk9yu",  # empty data section
]


@pytest.mark.parametrize("text", VALID_BECH32)
def test_valid_bech32_strings_decode_and_reencode(text: str) -> None:
    hrp, data, encoding = bech32_decode(text)
    assert encoding is Encoding.BECH32
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize("text", VALID_BECH32M)
def test_valid_bech32m_strings_decode_and_reencode(text: str) -> None:
    hrp, data, encoding = bech32_decode(text)
    assert encoding is Encoding.BECH32M
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize(("address", "script_hex"), VALID_SEGWIT)
def test_valid_segwit_addresses_match_their_scripts(address: str, script_hex: str) -> None:
    script = bytes.fromhex(script_hex)
    hrp = address.lower().split("1")[0]
    version, program = decode_segwit_address(hrp, address)
    assert (version, program) == (0 if script[0] == 0 else script[0] - 0x50, script[2:])
    assert encode_segwit_address(hrp, version, program) == address.lower()
    net = MAINNET if hrp == "bc" else TESTNET
    assert describe(script, net).address == address.lower()


@pytest.mark.parametrize("address", INVALID_SEGWIT)
def test_invalid_segwit_addresses_are_rejected(address: str) -> None:
    hrp = "tb" if address.lower().startswith("tb") else "bc"
    with pytest.raises(InvalidAddress):
        decode_segwit_address(hrp, address)


def test_fast_encoder_equals_reference_encoding_for_every_length_and_version() -> None:
    rng = random.Random(350)
    for length in range(2, 41):
        for version in (0, 1, 2, 16):
            if version == 0 and length not in (20, 32):
                continue
            program = rng.randbytes(length)
            encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
            fast = encode_segwit_address("bc", version, program)
            assert decode_segwit_address("bc", fast) == (version, program)
            hrp, data, _ = bech32_decode(fast)
            assert bech32_encode(hrp, data, encoding) == fast
