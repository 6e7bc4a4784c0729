"""Token metadata: the shipped token lists first, one batch of eth_calls for the rest."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode

from ingest.ethereum.tokenlist import TokenInfo, load_token_list
from ingest.ethereum.tokens import TokenRegistry
from ingest.rpc import RpcClient
from txmon.errors import ListFormatError

USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
GUSD = "0x056fd409e1d7a124bd7017459dfea2f387b6d5cd"
MKR = "0x9f8f72aa9304c8b593d555f12ef6589cc3a579a2"
PLAIN = "0x1111111111111111111111111111111111111111"
NOT_A_TOKEN = "0x2222222222222222222222222222222222222222"


def _word(value: bytes) -> str:
    return "0x" + value.hex()


def test_ethereum_lists_files_are_read_by_address(eth_data):
    tokens = load_token_list(eth_data / "tokens")
    assert len(tokens) == 9
    assert tokens[USDT] == TokenInfo("USDT", 6, "list")
    assert tokens[GUSD].decimals == 2  # decimals differ per token: read, never assumed


def test_a_missing_folder_is_an_empty_list(tmp_path):
    assert load_token_list(tmp_path / "absent") == {}


def test_token_list_shapes_and_chain_filter(tmp_path):
    tokens = [
        {"chainId": 1, "address": USDT, "symbol": "USDT", "decimals": 6},
        {"chainId": 10, "address": PLAIN, "symbol": "OPX", "decimals": 18},
    ]
    (tmp_path / "a.json").write_text(json.dumps({"name": "x", "tokens": tokens}))
    (tmp_path / "b.json").write_text(json.dumps(
        [{"chainId": 1337, "address": PLAIN, "symbol": "DEV", "decimals": 9}]
    ))  # fmt: skip
    assert load_token_list(tmp_path, 1) == {USDT: TokenInfo("USDT", 6, "list")}
    assert load_token_list(tmp_path, 1337) == {PLAIN: TokenInfo("DEV", 9, "list")}


def test_a_broken_token_file_is_rejected_loudly(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ListFormatError, match=r"bad\.json"):
        load_token_list(tmp_path)


def test_unknown_tokens_are_asked_once_string_bytes32_and_missing(new_node):
    node = new_node()
    node.add(
        "eth_call", [{"to": PLAIN, "data": "0x313ce567"}, "latest"], _word(encode(["uint8"], [8]))
    )
    node.add(
        "eth_call",
        [{"to": PLAIN, "data": "0x95d89b41"}, "latest"],
        _word(encode(["string"], ["PLN"])),
    )
    node.add(
        "eth_call", [{"to": MKR, "data": "0x313ce567"}, "latest"], _word(encode(["uint8"], [18]))
    )
    node.add(
        "eth_call", [{"to": MKR, "data": "0x95d89b41"}, "latest"], _word(b"MKR".ljust(32, b"\0"))
    )
    node.add_error(
        "eth_call", [{"to": NOT_A_TOKEN, "data": "0x313ce567"}, "latest"], 3, "execution reverted"
    )
    node.add("eth_call", [{"to": NOT_A_TOKEN, "data": "0x95d89b41"}, "latest"], "0x")  # fmt: skip
    registry = TokenRegistry("ethereum", {USDT: TokenInfo("USDT", 6, "list")})
    rpc = RpcClient("http://recorded", transport=node)
    registry.resolve(rpc, [USDT, PLAIN, MKR, NOT_A_TOKEN, PLAIN])
    registry.resolve(rpc, [PLAIN, MKR])  # cached: no second round
    assert len(node.requests) == 1 and len(node.requests[0]) == 6
    assert registry.asset(PLAIN).symbol == "PLN" and registry.asset(PLAIN).decimals == 8
    assert (registry.asset(MKR).symbol, registry.asset(MKR).decimals) == ("MKR", 18)
    unknown = registry.asset(NOT_A_TOKEN)
    assert (unknown.symbol, unknown.decimals, unknown.contract) == ("UNKNOWN", 0, NOT_A_TOKEN)
    assert registry.asset(USDT).key == f"ethereum:{USDT}"
