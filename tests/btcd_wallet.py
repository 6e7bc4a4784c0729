"""The regtest mining key's money on the shared btcd: unspent outputs that cover an amount.

btcd runs without a wallet, so the integration tests sign with the fixed mining key of
``scripts/services`` and must find its coins themselves. Picking "the newest mature
coinbase" stops working as the chain grows: regtest halves the subsidy every 150 blocks and
the shared btcd keeps its chain across test runs, so past height ~300 that coinbase pays
12.5 BTC or less. Instead the chain is scanned from genesis upward — the oldest coinbases
carry the largest rewards — for outputs paying the mining key (mature coinbases and the
change the tests send back), each checked unspent with the node (``gettxout``) and against
the mempool. One output that covers the amount is preferred; otherwise several are combined.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from bitcoin.core import CTransaction
from bitcoin.core.script import CScript
from bitcoin.wallet import CKey

from ingest.bitcoin.node import BitcoinNode
from ingest.bitcoin.parse import parse_block
from ingest.bitcoin.scripts import hash160
from ingest.rpc import RpcClient
from txmon.addresses.base58 import b58check_decode

# The fixed, public regtest mining key of scripts/services (docs/services.md).
MINING_WIF = os.environ.get(
    "TXMON_BTCD_MINING_WIF", "cSBRXta1y6CeANxB7EzK7Me7n9JhQQupJdr2KxLyJJ6pEk7hPFgT"
)
MINER = CKey(b58check_decode(MINING_WIF)[1][:32], compressed=True)
COINBASE_MATURITY = 100  # confirmations before a coinbase output may be spent
# Left over as change at the least, so the change output is never dust (546 sat for P2PKH).
MIN_CHANGE = 100_000
MAX_INPUTS = 20  # keeps a combined transaction far below what the tests' flat fee pays for
_CHUNK = 50  # blocks fetched per batched RPC round trip


@dataclass(frozen=True)
class Spend:
    """One output to spend: where it is, what it holds, and how to sign for it."""

    txid: str
    n: int
    amount: int
    kind: str  # p2pkh | p2wpkh | p2sh-p2wpkh | p2wsh
    key: CKey


def p2pkh(key: CKey) -> CScript:
    return CScript(b"\x76\xa9\x14" + hash160(key.pub) + b"\x88\xac")


def mine(rpc: RpcClient, blocks: int) -> list[str]:
    return list(rpc.call("generate", [blocks]))


def ensure_mature(rpc: RpcClient) -> None:
    """Mine until at least one coinbase can be spent (height ≥ 101)."""
    head = BitcoinNode(rpc).head()
    if head <= COINBASE_MATURITY:
        mine(rpc, COINBASE_MATURITY + 1 - head)


def _spent_in_mempool(rpc: RpcClient) -> set[tuple[str, int]]:
    """Outpoints that waiting transactions spend (a leftover of an interrupted run, say)."""
    txids = [str(t) for t in rpc.call("getrawmempool", [False])]
    raws = rpc.batch([("getrawtransaction", [t, 0]) for t in txids]) if txids else []
    spent = set()
    for raw in raws:
        for txin in CTransaction.deserialize(bytes.fromhex(raw)).vin:
            spent.add((txin.prevout.hash[::-1].hex(), txin.prevout.n))
    return spent


def _miner_outputs(rpc: RpcClient) -> Iterator[Spend]:
    """Unspent, spendable outputs of the mining key, oldest block first."""
    node = BitcoinNode(rpc)
    head = node.head()
    script = bytes(p2pkh(MINER))
    busy = _spent_in_mempool(rpc)
    for first in range(1, head + 1, _CHUNK):
        heights = list(range(first, min(first + _CHUNK, head + 1)))
        found: list[Spend] = []
        for height, raw in zip(heights, node.raw_blocks(heights), strict=True):
            for i, tx in enumerate(parse_block(raw).txs):
                if i == 0 and height > head - COINBASE_MATURITY:
                    continue  # an immature coinbase
                found += [
                    Spend(tx.txid, n, out.nValue, "p2pkh", MINER)
                    for n, out in enumerate(tx.vout)
                    if bytes(out.scriptPubKey) == script and (tx.txid, n) not in busy
                ]
        if not found:
            continue
        utxos = rpc.batch([("gettxout", [s.txid, s.n, True]) for s in found])
        yield from (s for s, utxo in zip(found, utxos, strict=True) if utxo is not None)


def _select(rpc: RpcClient, need: int) -> list[Spend] | None:
    """The oldest single output covering ``need``, else the fewest largest ones that do."""
    seen: list[Spend] = []
    for spend in _miner_outputs(rpc):
        if spend.amount >= need:
            return [spend]
        seen.append(spend)
    chosen: list[Spend] = []
    for spend in sorted(seen, key=lambda s: s.amount, reverse=True)[:MAX_INPUTS]:
        chosen.append(spend)
        if sum(s.amount for s in chosen) >= need:
            return chosen
    return None


def funds(rpc: RpcClient, amount: int) -> list[Spend]:
    """Outputs of the mining key worth at least ``amount`` + ``MIN_CHANGE``, to spend now.

    ``amount`` is what the caller pays out including its fee; the rest goes back as change.
    """
    ensure_mature(rpc)
    need = amount + MIN_CHANGE
    chosen = _select(rpc, need)
    if chosen is None:  # e.g. every old coinbase spent: mature more of them and look again
        mine(rpc, COINBASE_MATURITY + 1)
        chosen = _select(rpc, need)
    if chosen is None:
        raise RuntimeError(
            f"the btcd regtest chain has no {need} sat left for the mining key; "
            "reset it with `scripts/services reset btcd`"
        )
    return chosen
