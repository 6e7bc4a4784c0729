"""One block's JSON-RPC data (block, receipts, traces) → a :class:`~ingest.source.Block`.

Pure: no I/O, so the golden-file tests drive it with recorded node responses. Per
transaction the transfers come out in index order — the top-level transfer (0), the
internal frames (1…), the ERC-20 logs (1_000_000…) — and anything that cannot be read
becomes a :class:`~ingest.deadletter.Rejected` beside them instead of stopping the block.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from ingest.deadletter import Rejected, original_json
from ingest.ethereum.context import BlockContext
from ingest.ethereum.erc20 import is_erc20_transfer, token_contract, token_transfer
from ingest.ethereum.fields import quantity, text
from ingest.ethereum.frames import TxTrace
from ingest.ethereum.internal import internal_transfers
from ingest.ethereum.native import native_transfer
from ingest.source import Block, BlockRef
from txmon.errors import BadRecord
from txmon.models import Asset, Transfer

TraceResult = TxTrace | BadRecord
AssetOf = Callable[[str], Asset]


def block_ref(block: dict[str, Any]) -> BlockRef:
    """Header fields the follower needs; a block without them is a broken source."""
    return BlockRef(
        number=quantity(block, "number"),
        hash=text(block, "hash"),
        parent_hash=text(block, "parentHash"),
        time=dt.datetime.fromtimestamp(quantity(block, "timestamp"), dt.UTC),
    )


def extract_block(
    chain: str,
    network: str,
    block: dict[str, Any],
    receipts: dict[str, dict[str, Any]],
    traces: list[TraceResult] | None,
    asset_of: AssetOf,
) -> Block:
    """Transfers of ``block``; ``receipts`` by tx hash; ``traces`` in tx order or None."""
    ref = block_ref(block)
    ctx = BlockContext(chain, network, ref.number, ref.hash, ref.time)
    transfers: list[Transfer] = []
    rejects: list[Rejected] = []
    for position, tx in enumerate(block.get("transactions") or ()):
        trace = traces[position] if traces is not None else None
        _extract_tx(ctx, tx, receipts, trace, asset_of, transfers, rejects)
    return Block(ref=ref, transfers=tuple(transfers), rejects=tuple(rejects))


def _extract_tx(
    ctx: BlockContext,
    tx: Any,
    receipts: dict[str, dict[str, Any]],
    trace: TraceResult | None,
    asset_of: AssetOf,
    transfers: list[Transfer],
    rejects: list[Rejected],
) -> None:
    def reject(reason: str, item: str, original: object) -> None:
        rejects.append(
            Rejected(reason, ctx.number, ctx.hash, tx_hash, item, original_json(original))
        )

    tx_hash = tx.get("hash") if isinstance(tx, dict) else None
    receipt = receipts.get(tx_hash) if isinstance(tx_hash, str) else None
    if receipt is None or not isinstance(tx_hash, str):
        reject("transaction has no hash or no receipt", "tx", tx)
        return
    if isinstance(trace, BadRecord):
        reject(str(trace), "trace", None)
        trace = None
    try:
        transfers.append(
            native_transfer(ctx, tx, receipt, None if trace is None else trace.root_ok)
        )
    except BadRecord as exc:
        reject(str(exc), "tx", tx)
    if trace is not None:
        internal, bad = internal_transfers(ctx, tx_hash, trace)
        transfers.extend(internal)
        rejects.extend(bad)
    for position, log in enumerate(receipt.get("logs") or ()):
        if not is_erc20_transfer(log):
            continue
        try:
            transfers.append(
                token_transfer(ctx, log, position, asset_of(token_contract(log)), tx_hash)
            )
        except BadRecord as exc:
            reject(str(exc), f"log {position}", log)


def erc20_contracts(receipts: list[dict[str, Any]]) -> set[str]:
    """Token contracts that emitted ERC-20 transfers (to resolve metadata in one batch)."""
    found: set[str] = set()
    for receipt in receipts:
        for log in receipt.get("logs") or ():
            if is_erc20_transfer(log):
                with contextlib.suppress(BadRecord):  # extract_block dead-letters such a log
                    found.add(token_contract(log))
    return found
