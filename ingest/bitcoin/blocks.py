"""Parsed block → one canonical Transfer per transaction, inputs resolved, fee derived.

Conventions (also in docs/ingest-bitcoin.md):

* ``index`` is 0: a Bitcoin transaction is one transfer with all its inputs and outputs.
* every output is a leg, even OP_RETURN and non-standard ones (see :mod:`.scripts`); a
  bare multisig output adds one zero-amount ``multisig_key`` leg per public key.
* a coinbase (the one transaction that spends nothing) has one input leg ``coinbase``
  (script_type ``coinbase``) whose amount is the sum of its outputs (subsidy plus the
  block's fees), so inputs and outputs balance; its ``fee`` is ``None``. For every
  other transaction ``fee`` = inputs − outputs.
* an input spending an output of an earlier transaction of the same block is resolved
  from that block; everything else from the UTXO cache (then the node).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from ingest.bitcoin.network import Network
from ingest.bitcoin.parse import ParsedBlock, parse_block
from ingest.bitcoin.scripts import ScriptInfo, describe
from ingest.bitcoin.utxo import Outpoint, Prevout, UtxoCache, output_legs
from ingest.source import Block, BlockRef
from txmon.models import Asset, Leg, Transfer, TransferStatus

CHAIN = "bitcoin"
BTC = Asset(chain=CHAIN, symbol="BTC", decimals=8)
COINBASE = "coinbase"
_DESCRIBE_CACHE_SIZE = 50_000


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one block is decoded.

    Decoding allocates ~40 objects per transaction and frees almost all of them by
    reference counting; the cyclic collector, triggered every 700 allocations, walks
    them anyway and costs about a third of the decode time. Nothing here creates
    reference cycles, so collection simply resumes after the block.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class BlockDecoder:
    """Turns raw blocks into :class:`~ingest.source.Block` s, keeping the UTXO cache current.

    Blocks must be decoded in chain order (a block spends outputs of the ones before it);
    each call commits that block's outputs to the cache before returning.
    """

    def __init__(self, net: Network, utxo: UtxoCache) -> None:
        self.net = net
        self.utxo = utxo
        # Address derivation is the costliest step after parsing, and a busy address is
        # paid to many times: remember recent scripts (bounded, cleared when full).
        self._described: dict[bytes, ScriptInfo] = {}

    def _describe(self, script: bytes) -> ScriptInfo:
        info = self._described.get(script)
        if info is None:
            if len(self._described) >= _DESCRIBE_CACHE_SIZE:
                self._described.clear()
            info = self._described[script] = describe(script, self.net)
        return info

    def decode(self, raw: bytes, height: int) -> Block:
        """Decode one block at ``height`` (the caller knows it: RPC or the block-file index)."""
        with _gc_paused():
            return self.decode_parsed(parse_block(raw), height)

    def decode_parsed(self, block: ParsedBlock, height: int) -> Block:
        describe_ = self._describe
        outputs_by_tx = [
            [output_legs(describe_(bytes(out.scriptPubKey)), out.nValue) for out in ptx.vout]
            for ptx in block.txs
        ]
        created: dict[Outpoint, Prevout] = {
            (ptx.txid, n): legs
            for ptx, outs in zip(block.txs, outputs_by_tx, strict=True)
            for n, legs in enumerate(outs)
        }
        spends_by_tx: list[list[Outpoint]] = [[]]  # the coinbase spends nothing
        spends_by_tx.extend(
            [(txin.prevout.hash[::-1].hex(), txin.prevout.n) for txin in ptx.vin]
            for ptx in block.txs[1:]
        )
        spends = [op for tx_spends in spends_by_tx for op in tx_spends]
        external = [op for op in spends if op not in created]
        resolved = dict(zip(external, self.utxo.resolve(external), strict=True))
        ref = BlockRef(height, block.hash, block.parent_hash, block.time)
        transfers = tuple(
            make_transfer(
                self.net, ptx.txid, outs, [resolved.get(op) or created[op] for op in ops], ref
            )
            for ptx, outs, ops in zip(block.txs, outputs_by_tx, spends_by_tx, strict=True)
        )
        spent_here = set(spends).difference(external)
        unspent = {  # OP_RETURN outputs can never be spent: not worth a cache entry
            op: legs
            for op, legs in created.items()
            if op not in spent_here and legs[0].script_type != "nulldata"
        }
        self.utxo.commit(height, unspent, external)
        return Block(ref=ref, transfers=transfers)


def make_transfer(
    net: Network,
    txid: str,
    outs: list[Prevout],
    ins: list[Prevout],
    ref: BlockRef | None,
    status: TransferStatus = TransferStatus.CONFIRMED,
) -> Transfer:
    """The transfer of one transaction from its output legs and resolved input legs.

    ``ins`` is empty only for a coinbase. ``ref`` is ``None`` for a mempool transaction.
    """
    outputs = tuple(leg for legs in outs for leg in legs)
    out_total = sum(legs[0].amount for legs in outs)
    if ins:
        inputs = tuple(leg for legs in ins for leg in legs)
        fee: int | None = sum(legs[0].amount for legs in ins) - out_total
    else:
        inputs, fee = (Leg(COINBASE, out_total, COINBASE),), None
    return Transfer(
        chain=CHAIN,
        network=net.name,
        asset=BTC,
        tx_hash=txid,
        index=0,
        block_number=None if ref is None else ref.number,
        block_hash=None if ref is None else ref.hash,
        block_time=None if ref is None else ref.time,
        inputs=inputs,
        outputs=outputs,
        status=status,
        fee=fee,
    )
