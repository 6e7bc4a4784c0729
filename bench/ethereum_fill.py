"""Fills a geth --dev node with blocks of mixed transactions, for the Ethereum benchmark.

Each round sends, in one JSON-RPC batch of signed transactions from a fresh funded
account: ETH payments (one of them zero-value), ERC-20 transfers, contract calls that
split ETH between two recipients (internal transfers), a token pull through a contract
(internal call + ERC-20 log) and one call that reverts. The contracts are the ones the
integration test deploys (tests/contracts/build).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3

from ingest.rpc import RpcClient

BUILD = Path(__file__).resolve().parents[1] / "tests" / "contracts" / "build"
GAS = 300_000


class Filler:
    """Owns a funded account and signs its transactions with locally tracked nonces."""

    def __init__(self, url: str) -> None:
        self.w3 = Web3(Web3.HTTPProvider(url))
        self.rpc = RpcClient(url)
        self.account = Account.create()
        self.chain_id = self.w3.eth.chain_id
        dev = self.w3.eth.accounts[0]
        funding = self.w3.eth.send_transaction(
            {"from": dev, "to": self.account.address, "value": 10_000 * 10**18}
        )
        self.w3.eth.wait_for_transaction_receipt(funding, timeout=60)
        self.nonce = 0
        self.token = self._deploy("TestToken", 10**30)
        self.forwarder = self._deploy("Forwarder")
        self._wait(
            [self._send(self._tx(self.token.functions.approve(self.forwarder.address, 10**30)))]
        )

    def fill(self, blocks: int, per_round: int = 24) -> tuple[int, int]:
        """Mine at least ``blocks`` blocks; returns the (first, last) block numbers."""
        first = self.w3.eth.block_number + 1
        while self.w3.eth.block_number - first + 1 < blocks:
            signed = [self._next(i) for i in range(per_round)]
            self._wait(self.rpc.batch([("eth_sendRawTransaction", [raw]) for raw in signed]))
        return first, self.w3.eth.block_number

    def _next(self, i: int) -> str:
        who = Account.create().address
        kind = i % 6
        if kind == 0:
            return self._tx(None, to=who, value=0 if i == 0 else 10**15 + i)
        if kind == 1:
            return self._tx(self.token.functions.transfer(who, 1_000_000 + i))
        if kind == 2:
            return self._tx(self.forwarder.functions.split(who, self.account.address), 10**12)
        if kind == 3:
            return self._tx(self.forwarder.functions.pullToken(self.token.address, who, 777))
        if kind == 4 and i % 12 == 4:
            return self._tx(self.forwarder.functions.forwardThenRevert(who), 5)
        return self._tx(self.forwarder.functions.forward(who), 10**9 + i)

    def _deploy(self, name: str, *args: Any) -> Any:
        build = json.loads((BUILD / f"{name}.json").read_text())
        factory = self.w3.eth.contract(abi=build["abi"], bytecode=build["bytecode"])
        data = factory.constructor(*args).build_transaction({"from": self.account.address})
        receipt = self._wait([self._send(self._tx(None, data=data["data"], gas=3_000_000))])
        address = Web3.to_checksum_address(receipt["contractAddress"])
        return self.w3.eth.contract(address=address, abi=build["abi"])

    def _tx(
        self, fn: Any, value: int = 0, *, to: str | None = None, data: str = "0x", gas: int = GAS
    ) -> str:
        """Sign one transaction; returns it raw (hex), ready for eth_sendRawTransaction."""
        if fn is not None:
            to, data = fn.address, fn._encode_transaction_data()
        tx = {
            "chainId": self.chain_id,
            "nonce": self.nonce,
            "gas": gas,
            "value": value,
            "maxFeePerGas": 100 * 10**9,
            "maxPriorityFeePerGas": 10**9,
            "data": data,
        }
        if to is not None:
            tx["to"] = to
        self.nonce += 1
        return "0x" + self.account.sign_transaction(tx).raw_transaction.hex()

    def _send(self, raw: str) -> str:
        return self.rpc.call("eth_sendRawTransaction", [raw])

    def _wait(self, hashes: list[str]) -> dict[str, Any]:
        """Wait until the last of ``hashes`` is mined; returns its receipt."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            receipt = self.rpc.call("eth_getTransactionReceipt", [hashes[-1]])
            if receipt is not None:
                return receipt
            time.sleep(0.02)
        raise TimeoutError(f"transaction {hashes[-1]} not mined in 60 s")
