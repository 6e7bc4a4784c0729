"""Ethereum ingest against a real geth --dev node: every transfer exactly once, and a reorg.

The node is shared with other tests, so this test only looks at the transactions it sent
itself (by hash) and reorganises only blocks that hold its own transactions. Transactions
are sent by geth's unlocked dev account; each new address is a fresh random account.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3
from web3.exceptions import TransactionNotFound

from ingest.ethereum import EthereumSource
from ingest.follower import Follower
from ingest.rpc import RpcClient
from tests.conftest import service_url
from txmon.bus.base import TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.models import Transfer, TransferKind, TransferStatus
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

pytestmark = pytest.mark.integration

BUILD = Path(__file__).resolve().parents[1] / "contracts" / "build"
ETHER = 10**18


@pytest.fixture(scope="module")
def w3() -> Web3:
    web3 = Web3(Web3.HTTPProvider(service_url("geth", "http://127.0.0.1:8545")))
    assert web3.is_connected(), "geth is not running: scripts/services up geth"
    return web3


@pytest.fixture
def pipeline(w3: Web3, tmp_path: Path) -> Iterator[tuple[Follower, EmbeddedBus]]:
    bus = EmbeddedBus(tmp_path / "bus.db")
    store = SqliteStore(tmp_path / "store.db")
    source = EthereumSource(RpcClient(w3.provider.endpoint_uri))
    follower = Follower(source, store, bus.producer(), batch_blocks=5, workers=2)
    yield follower, bus
    follower.close()
    source.close()
    store.close()
    bus.close()


def _fresh() -> str:
    return Account.create().address


def _send(w3: Web3, tx: dict[str, Any]) -> Any:
    tx.setdefault("from", w3.eth.accounts[0])
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx), timeout=30)
    return receipt


def _deploy(w3: Web3, name: str, *args: Any) -> Any:
    build = json.loads((BUILD / f"{name}.json").read_text())
    contract = w3.eth.contract(abi=build["abi"], bytecode=build["bytecode"])
    receipt = _send(w3, {"data": contract.constructor(*args).build_transaction(
        {"from": w3.eth.accounts[0]})["data"]})  # fmt: skip
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=build["abi"]), receipt


def _call(w3: Web3, fn: Any, value: int = 0, gas: int | None = None) -> Any:
    tx: dict[str, Any] = {"from": w3.eth.accounts[0], "value": value}
    if gas is not None:
        tx["gas"] = gas  # skips estimation, so a reverting call is still mined
    return _send(w3, {"to": fn.address, "data": fn._encode_transaction_data(), **tx})


def _delivered(bus: EmbeddedBus, group: str) -> list[Transfer]:
    consumer = bus.consumer([TRANSFERS], group)
    out: list[Transfer] = []
    while batch := consumer.poll(timeout=0.1, max_records=10_000):
        out += [decode_transfer(m.value) for m in batch]
        consumer.commit(batch)
    consumer.close()
    return out


def _drain(follower: Follower, start: int) -> None:
    while follower.step(start):
        pass


def _h(receipt: Any) -> str:
    return "0x" + bytes(receipt.transactionHash).hex()


def test_eth_token_and_internal_transfers_arrive_exactly_once(w3, pipeline):
    follower, bus = pipeline
    dev = w3.eth.accounts[0].lower()
    alice, bob, carol = _fresh(), _fresh(), _fresh()
    start = w3.eth.block_number + 1

    token, deploy = _deploy(w3, "TestToken", 1_000_000 * 10**6)
    forwarder, _ = _deploy(w3, "Forwarder")
    pay = _send(w3, {"to": alice, "value": 3 * ETHER // 2})
    zero = _send(w3, {"to": bob, "value": 0})
    tok = _call(w3, token.functions.transfer(alice, 1_234_567_890))
    fwd = _call(w3, forwarder.functions.forward(carol), value=ETHER // 4)
    split = _call(w3, forwarder.functions.split(alice, bob), value=1001)
    failed = _call(w3, forwarder.functions.forwardThenRevert(carol), value=7, gas=200_000)
    _call(w3, token.functions.approve(forwarder.address, 500))
    pull = _call(w3, forwarder.functions.pullToken(token.address, bob, 321))
    assert failed.status == 0

    _drain(follower, start)
    mine = {_h(r) for r in (deploy, pay, zero, tok, fwd, split, failed, pull)}
    got = [t for t in _delivered(bus, "check") if t.tx_hash in mine]
    assert all(t.status is TransferStatus.CONFIRMED for t in got)
    counts = Counter(t.id for t in got)
    assert set(counts.values()) == {1}, "a transfer was delivered twice"
    by = {(t.tx_hash, t.kind, t.outputs[0].address): t for t in got}
    token_addr, fwd_addr = token.address.lower(), forwarder.address.lower()
    alice, bob, carol = alice.lower(), bob.lower(), carol.lower()

    create = by[(_h(deploy), TransferKind.NATIVE, token_addr)]
    assert create.extra["contract_creation"] == "true" and create.inputs[0].address == dev
    mint = by[(_h(deploy), TransferKind.TOKEN, dev)]
    assert mint.inputs[0].address == "0x" + "00" * 20 and mint.amount == 1_000_000 * 10**6
    assert (mint.asset.symbol, mint.asset.decimals, mint.asset.contract) == ("TXT", 6, token_addr)

    assert by[(_h(pay), TransferKind.NATIVE, alice)].amount == 1_500_000_000_000_000_000
    assert by[(_h(zero), TransferKind.NATIVE, bob)].amount == 0
    assert by[(_h(tok), TransferKind.TOKEN, alice)].amount == 1_234_567_890

    assert by[(_h(fwd), TransferKind.NATIVE, fwd_addr)].amount == ETHER // 4
    inner = by[(_h(fwd), TransferKind.INTERNAL, carol)]
    assert (inner.inputs[0].address, inner.amount, inner.success) == (fwd_addr, ETHER // 4, True)
    assert inner.index == 1 and inner.extra["call_type"] == "call"

    assert by[(_h(split), TransferKind.INTERNAL, alice)].amount == 500
    assert by[(_h(split), TransferKind.INTERNAL, bob)].amount == 501

    outer = by[(_h(failed), TransferKind.NATIVE, fwd_addr)]
    assert (outer.amount, outer.success) == (7, False)
    undone = by[(_h(failed), TransferKind.INTERNAL, carol)]
    assert (undone.amount, undone.success) == (7, False)  # seen in the trace, but undone

    call = by[(_h(pull), TransferKind.INTERNAL, token_addr)]  # contract → token, no value
    assert (call.inputs[0].address, call.amount, call.success) == (fwd_addr, 0, True)
    pulled = by[(_h(pull), TransferKind.TOKEN, bob)]
    assert (pulled.inputs[0].address, pulled.amount) == (dev, 321)
    # the expected set is complete: nothing extra was produced for these transactions
    assert len(got) == 2 + 1 + 1 + 1 + 2 + 2 + 3 + 2 + 3 - 1


def test_reorg_retracts_and_reemits(w3, pipeline):
    follower, bus = pipeline
    dave, erin = _fresh(), _fresh()
    start = w3.eth.block_number + 1
    old = _send(w3, {"to": dave, "value": 42})
    _drain(follower, start)
    old_block = old.blockNumber
    assert follower.state.position().hash == "0x" + bytes(old.blockHash).hex()

    w3.provider.make_request("debug_setHead", [hex(old_block - 1)])
    new = _send(w3, {"to": erin, "value": 43})
    assert new.blockHash != old.blockHash
    _drain(follower, start)

    seen = [(t.tx_hash, t.status, t.block_hash) for t in _delivered(bus, "check")]
    old_hash, new_hash = _h(old), _h(new)
    old_block_hash = "0x" + bytes(old.blockHash).hex()
    mine = [s for s in seen if s[0] in (old_hash, new_hash)]
    assert mine[:2] == [
        (old_hash, TransferStatus.CONFIRMED, old_block_hash),
        (old_hash, TransferStatus.RETRACTED, old_block_hash),
    ]
    new_block_hash = "0x" + bytes(new.blockHash).hex()
    assert (new_hash, TransferStatus.CONFIRMED, new_block_hash) in mine[2:]
    # whatever the node did with the dropped transaction, our last word agrees with it
    last = {h: (s, b) for h, s, b in mine}
    receipt = w3.eth.get_transaction_receipt(old_hash) if _known(w3, old_hash) else None
    if receipt is None:
        assert last[old_hash][0] is TransferStatus.RETRACTED
    else:
        assert last[old_hash] == (TransferStatus.CONFIRMED, "0x" + bytes(receipt.blockHash).hex())
    assert follower.metrics.reorgs >= 1


def _known(w3: Web3, tx_hash: str) -> bool:
    try:
        w3.eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:
        return False
    return True


def test_follow_loop_delivers_a_new_transaction_live(w3, pipeline):
    follower, bus = pipeline
    frank = _fresh()
    stop = threading.Event()
    worker = threading.Thread(
        target=follower.follow, kwargs={"start": w3.eth.block_number + 1, "poll_interval": 0.1,
                                        "stop": stop}, daemon=True,
    )  # fmt: skip
    worker.start()
    try:
        sent = _h(_send(w3, {"to": frank, "value": 12_345}))
        deadline = time.monotonic() + 20
        seen: list[Transfer] = []
        while time.monotonic() < deadline and not seen:
            seen = [t for t in _delivered(bus, "live") if t.tx_hash == sent]
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=10)
    [transfer] = seen
    assert transfer.outputs[0].address == frank.lower() and transfer.amount == 12_345
    assert follower.metrics.last_progress is not None and follower.metrics.lag() is not None
