"""The UTXO cache: entry format, lookup order, node fallback, delayed removal of spends."""

from __future__ import annotations

import logging

import pytest

from ingest.bitcoin.utxo import (
    UnknownPrevout,
    UnresolvedPrevoutError,
    UtxoCache,
    decode_prevout,
    encode_prevout,
)
from txmon.addresses.networks import MAINNET, REGTEST
from txmon.models import Leg
from txmon.store.sqlite import SqliteStore

from .conftest import RecordedTransactions

A = ("aa" * 32, 0)
B = ("bb" * 32, 3)
SPENT_50001 = "0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216"


def test_entries_round_trip() -> None:
    single = (Leg("bc1qexample", 12345, "p2wpkh"),)
    multisig = (
        Leg("script:00ff", 5460, "multisig"),
        Leg("1key", 0, "multisig_key"),
        Leg("1other", 0, "multisig_key"),
    )
    for prevout in (single, multisig):
        assert decode_prevout(encode_prevout(prevout)) == prevout
    assert encode_prevout(single) == b"12345 p2wpkh bc1qexample"


def test_resolve_keeps_order_and_asks_the_node_only_for_misses(store: SqliteStore) -> None:
    recorded = RecordedTransactions()
    cache = UtxoCache(store, MAINNET, fetcher=recorded)
    cache.commit(1, {A: (Leg("1A", 1, "p2pkh"),), B: (Leg("1B", 2, "p2pkh"),)}, [])
    found = cache.resolve([B, (SPENT_50001, 0), A])
    assert found == [
        (Leg("1B", 2, "p2pkh"),),
        (Leg("18dxbN6m8zxieN8F9BchXmhbeXUdFLr8fD", 50_0000_0000, "p2pk"),),
        (Leg("1A", 1, "p2pkh"),),
    ]
    assert recorded.asked == [SPENT_50001]
    assert cache.misses == 1


def test_unknown_prevouts_come_back_with_the_reason(store: SqliteStore) -> None:
    cache = UtxoCache(store, MAINNET, fetcher=RecordedTransactions())
    cache.commit(1, {A: (Leg("1A", 1, "p2pkh"),)}, [])
    found = cache.resolve([B, A, (SPENT_50001, 0)])  # B: cached nowhere, unknown to the node
    assert found == [
        UnknownPrevout(B, f"prevout {B[0]}:3 unknown to the node (no -txindex?)"),
        (Leg("1A", 1, "p2pkh"),),
        (Leg("18dxbN6m8zxieN8F9BchXmhbeXUdFLr8fD", 50_0000_0000, "p2pk"),),
    ]
    assert (cache.misses, cache.unknown) == (1, 1)
    no_node = UtxoCache(store, MAINNET).resolve([B])
    assert no_node == [UnknownPrevout(B, f"prevout {B[0]}:3 not in the UTXO cache and no node "
                                         "to ask (block files replayed from mid-chain?)")]


def test_the_first_unknown_prevout_is_logged_once(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    cache = UtxoCache(store, MAINNET, fetcher=RecordedTransactions())
    with caplog.at_level(logging.WARNING, logger="ingest.bitcoin.utxo"):
        cache.resolve([A])
        cache.resolve([B])
    assert [r.getMessage() for r in caplog.records] == [
        f"bitcoin: prevout {A[0]}:0 unknown to the node (no -txindex?); such inputs are "
        "marked unresolved (outputs are still screened) and their transactions dead-lettered"]
    assert cache.unknown == 2


def test_a_node_answering_wrongly_is_a_broken_source(store: SqliteStore) -> None:
    with pytest.raises(UnresolvedPrevoutError, match="index out of range"):
        UtxoCache(store, MAINNET, fetcher=RecordedTransactions()).resolve([(SPENT_50001, 1)])


def test_spent_entries_go_only_after_the_lag(store: SqliteStore) -> None:
    cache = UtxoCache(store, MAINNET, spent_lag=2)
    cache.commit(9, {A: (Leg("1A", 1, "p2pkh"),), B: (Leg("1B", 2, "p2pkh"),)}, [])
    cache.commit(10, {}, [A])  # A spent at height 10
    cache.commit(11, {}, [])
    assert cache.resolve([A]) == [(Leg("1A", 1, "p2pkh"),)]  # a re-run of 10 still finds it
    cache.commit(12, {}, [])  # 12 - lag = 10: the spends of 10 are removed now
    assert store.get(f"bitcoin:mainnet:utxo:{A[0]}:0") is None
    assert store.get("bitcoin:mainnet:spent:0000000010") is None
    assert cache.resolve([B]) == [(Leg("1B", 2, "p2pkh"),)]


def test_networks_do_not_share_entries(store: SqliteStore) -> None:
    UtxoCache(store, REGTEST).commit(1, {A: (Leg("bcrt1q", 1, "p2wpkh"),)}, [])
    [unknown] = UtxoCache(store, MAINNET).resolve([A])
    assert isinstance(unknown, UnknownPrevout)
