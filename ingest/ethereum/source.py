"""Ethereum as a :class:`~ingest.source.ChainSource`: any EVM JSON-RPC node → transfers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from ingest.deadletter import Rejected
from ingest.ethereum.capabilities import Capabilities, detect
from ingest.ethereum.extract import block_ref, erc20_contracts, extract_block
from ingest.ethereum.fetch import RawBlock, fetch_raw
from ingest.ethereum.frames import Inconsistent
from ingest.ethereum.network import CHAIN, network_name
from ingest.ethereum.tokenlist import DEFAULT_TOKEN_DIR, load_token_list
from ingest.ethereum.tokens import TokenRegistry
from ingest.rpc import NodeError, RpcClient
from ingest.source import Block, BlockRef, ChainSource
from txmon.errors import BadRecord

log = logging.getLogger(__name__)

_ATTEMPTS = 3  # a block range is re-read this often when the chain moves mid-batch


class EthereumSource(ChainSource):
    """Reads blocks, receipts and traces; thread-safe, so the follower fetches in parallel.

    ``capabilities`` may be given to skip detection (tests, or a node known in advance);
    ``traces=False`` skips tracing even where the node offers it (much faster; loses
    internal transfers); ``fees=True`` also fetches transaction bodies on callTracer nodes,
    where transactions are otherwise read from their trace and the fee is ``None``
    (bodies cost the node about half as much again as the trace).
    """

    chain = CHAIN

    def __init__(
        self,
        rpc: RpcClient,
        *,
        token_dir: Path = DEFAULT_TOKEN_DIR,
        traces: bool = True,
        fees: bool = False,
        capabilities: Capabilities | None = None,
    ) -> None:
        self.rpc = rpc
        self.chain_id = int(rpc.call("eth_chainId"), 16)
        self.network = network_name(self.chain_id)
        self.tokens = TokenRegistry(self.chain, load_token_list(token_dir, self.chain_id))
        self._want_traces = traces
        self._fees = fees
        self._caps = capabilities
        self._caps_lock = threading.Lock()
        self._trace_warned = False

    @classmethod
    def from_url(cls, url: str, *, traces: bool = True) -> EthereumSource:
        """Follow the node at ``url`` (what ``txmon ingest/replay ethereum --rpc`` call)."""
        return cls(RpcClient(url), traces=traces)

    @property
    def capabilities(self) -> Capabilities:
        with self._caps_lock:
            if self._caps is None:
                self._caps = detect(self.rpc, max(self.head(), 1), self._want_traces)
            return self._caps

    def head(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def block_ref(self, number: int) -> BlockRef:
        block = self.rpc.call("eth_getBlockByNumber", [hex(number), False])
        if not isinstance(block, dict):
            raise NodeError("eth_getBlockByNumber", f"block {number} not found")
        return _ref(block)

    def fetch_blocks(self, numbers: Sequence[int]) -> list[Block]:
        caps = self.capabilities
        for attempt in range(_ATTEMPTS):
            try:
                raw = fetch_raw(self.rpc, caps, numbers, bodies=self._fees)
                break
            except Inconsistent as exc:
                log.info("chain moved while reading blocks %s (%s); reading again", numbers, exc)
                if attempt == _ATTEMPTS - 1:
                    raise NodeError("fetch", f"chain kept moving: {exc}") from exc
        self.tokens.resolve(
            self.rpc, erc20_contracts([r for b in raw for r in b.receipts.values()])
        )
        return [self._extract(b) for b in raw]

    def close(self) -> None:
        self.rpc.close()

    def _extract(self, raw: RawBlock) -> Block:
        try:
            block = extract_block(
                self.chain, self.network, raw.block, raw.receipts, raw.traces, self.tokens.asset
            )
        except BadRecord as exc:  # the header itself is unreadable: the node is broken
            raise NodeError("eth_getBlockByNumber", f"malformed block: {exc}") from exc
        if raw.trace_error is None:
            return block
        self._warn_trace(raw.trace_error)
        reject = Rejected(
            reason=f"no trace for this block, internal transfers missing: {raw.trace_error}",
            block_number=block.ref.number,
            block_hash=block.ref.hash,
            item="trace",
        )
        return Block(block.ref, block.transfers, (*block.rejects, reject))

    def _warn_trace(self, reason: str) -> None:
        if not self._trace_warned:
            self._trace_warned = True
            log.warning("node could not trace a block (%s); dead-lettering such blocks", reason)


def _ref(block: dict[str, object]) -> BlockRef:
    try:
        return block_ref(block)
    except BadRecord as exc:
        raise NodeError("eth_getBlockByNumber", f"malformed block header: {exc}") from exc
