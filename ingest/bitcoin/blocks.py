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
  from that block; everything else from the prevouts the node sent with the block
  (``getblock <hash> 3``), else from the UTXO cache (then the node).
* an input whose prevout nobody knows is still an input leg, marked unresolved:
  address ``prevout:<txid>:<n>``, amount 0, script_type ``unresolved``; the transfer's
  ``fee`` is then ``None`` and ``extra["unresolved_inputs"]`` counts them. Its outputs
  are screened as usual, and the transaction is dead-lettered once with the reason.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ingest.bitcoin.parse import ParsedBlock, parse_block
from ingest.bitcoin.scripts import ScriptInfo, describe
from ingest.bitcoin.utxo import (
    Outpoint,
    Prevout,
    SpentOutput,
    UnknownPrevout,
    UtxoCache,
    output_legs,
)
from ingest.deadletter import Rejected, original_json
from ingest.source import Block, BlockRef
from txmon.addresses.networks import Network
from txmon.models import Asset, Leg, Transfer, TransferStatus

CHAIN = "bitcoin"
BTC = Asset(chain=CHAIN, symbol="BTC", decimals=8)
COINBASE = "coinbase"
UNRESOLVED = "unresolved"
UNRESOLVED_INPUTS = "unresolved_inputs"  # key in Transfer.extra
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
        self.unresolved_inputs = 0  # inputs marked unresolved so far (for the run summary)
        self.unresolved_txs = 0  # transactions with at least one (one dead letter each)

    def _describe(self, script: bytes) -> ScriptInfo:
        info = self._described.get(script)
        if info is None:
            if len(self._described) >= _DESCRIBE_CACHE_SIZE:
                self._described.clear()
            info = self._described[script] = describe(script, self.net)
        return info

    def decode(
        self, raw: bytes, height: int, spent: Mapping[Outpoint, SpentOutput] | None = None
    ) -> Block:
        """Decode one block at ``height`` (the caller knows it: RPC or the block-file index).

        ``spent``: the block's prevouts as the node sent them (``getblock <hash> 3``);
        the UTXO cache is asked only for what is not there.
        """
        with _gc_paused():
            return self.decode_parsed(parse_block(raw), height, spent)

    def decode_parsed(
        self,
        block: ParsedBlock,
        height: int,
        spent: Mapping[Outpoint, SpentOutput] | None = None,
    ) -> Block:
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
        resolved: dict[Outpoint, Prevout | UnknownPrevout] = {}
        if spent:
            for op in external:
                if (given := spent.get(op)) is not None:
                    resolved[op] = output_legs(describe_(given[1]), given[0])
        ask = [op for op in external if op not in resolved] if resolved else external
        if ask:
            resolved.update(zip(ask, self.utxo.resolve(ask), strict=True))
        ref = BlockRef(height, block.hash, block.parent_hash, block.time)
        any_unknown = any(isinstance(p, UnknownPrevout) for p in resolved.values())
        transfers = []
        rejects = []
        for ptx, outs, ops in zip(block.txs, outputs_by_tx, spends_by_tx, strict=True):
            ins = [resolved.get(op) or created[op] for op in ops]
            transfers.append(make_transfer(self.net, ptx.txid, outs, ins, ref))
            if any_unknown and (unknown := [p for p in ins if isinstance(p, UnknownPrevout)]):
                rejects.append(self._unresolved(ref, ptx.txid, unknown, len(ops)))
        spent_here = set(spends).difference(external)
        unspent = {  # OP_RETURN outputs can never be spent: not worth a cache entry
            op: legs
            for op, legs in created.items()
            if op not in spent_here and legs[0].script_type != "nulldata"
        }
        self.utxo.commit(height, unspent, external)
        return Block(ref=ref, transfers=tuple(transfers), rejects=tuple(rejects))

    def _unresolved(
        self,
        ref: BlockRef,
        txid: str,
        unknown: list[UnknownPrevout],
        inputs: int,
    ) -> Rejected:
        """The one dead letter of a transaction with unresolved inputs (it is still published)."""
        self.unresolved_inputs += len(unknown)
        self.unresolved_txs += 1
        reason = unknown[0].reason
        if len(unknown) > 1:
            reason += f" (and {len(unknown) - 1} more of its {inputs} inputs)"
        outpoints = [f"{p.outpoint[0]}:{p.outpoint[1]}" for p in unknown]
        original = original_json({"unresolved": outpoints, "inputs": inputs})
        return Rejected(reason, ref.number, ref.hash, txid, "inputs", original)


def unresolved_leg(outpoint: Outpoint) -> Leg:
    """The input leg of a prevout nobody knows: which output it spent, nothing more."""
    return Leg(f"prevout:{outpoint[0]}:{outpoint[1]}", 0, UNRESOLVED)


def make_transfer(
    net: Network,
    txid: str,
    outs: list[Prevout],
    ins: list[Prevout | UnknownPrevout],
    ref: BlockRef | None,
    status: TransferStatus = TransferStatus.CONFIRMED,
) -> Transfer:
    """The transfer of one transaction from its output legs and resolved input legs.

    ``ins`` is empty only for a coinbase. ``ref`` is ``None`` for a mempool transaction.
    An :class:`UnknownPrevout` in ``ins`` becomes an :func:`unresolved_leg`.
    """
    outputs = tuple(leg for legs in outs for leg in legs)
    out_total = sum(legs[0].amount for legs in outs)
    extra: dict[str, str] = {}
    fee: int | None = None
    if not ins:
        inputs: tuple[Leg, ...] = (Leg(COINBASE, out_total, COINBASE),)
    else:
        legs_in: list[Leg] = []
        in_total = unknown = 0
        for prevout in ins:
            if isinstance(prevout, UnknownPrevout):
                legs_in.append(unresolved_leg(prevout.outpoint))
                unknown += 1
            else:
                legs_in.extend(prevout)
                in_total += prevout[0].amount
        inputs = tuple(legs_in)
        if unknown:  # the fee is unknown while any input amount is
            extra[UNRESOLVED_INPUTS] = str(unknown)
        else:
            fee = in_total - out_total
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
        extra=extra,
    )
