"""Blocks and transactions from a bitcoind-compatible node (Bitcoin Core, btcd) over JSON-RPC.

Everything is asked for in raw form (``getblock <hash> 0``, ``getblockheader <hash> false``,
``getrawtransaction <txid> 0``) — or, where the node supports it, ``getblock <hash> 3``
for the block with its prevouts, whose transactions' raw bytes are used the same way
(:mod:`.verbose`) — and parsed here, so addresses are derived by our own code
for every source — the node's verbose JSON differs between Core versions and btcd (Core
stopped reporting addresses for P2PK and bare multisig in v22). Calls go through the shared
:class:`ingest.rpc.RpcClient` (batches matched by id, retries of read-only calls only).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from ingest.bitcoin.parse import HEADER_SIZE, block_hash, header_time, parent_hash
from ingest.bitcoin.utxo import Outpoint, SpentOutput
from ingest.bitcoin.verbose import raw_block, spent_outputs
from ingest.rpc import NodeError, RpcClient
from ingest.source import BlockRef
from txmon.errors import RpcError

log = logging.getLogger(__name__)

# Core's and btcd's code for "no such transaction" (RPC_INVALID_ADDRESS_OR_KEY).
_NOT_FOUND = -5
_WARMING_UP = -28  # RPC_IN_WARMUP: the node is starting

# A block's raw bytes and, when the node sent them (verbosity 3), its inputs' prevouts.
FetchedBlock = tuple[bytes, dict[Outpoint, SpentOutput] | None]


def connect(url: str, **options: Any) -> RpcClient:
    """An RPC client for ``http://user:password@host:port`` (credentials taken out of the URL).

    Bitcoin Core and btcd want HTTP basic auth; keeping it in the URL gives the CLI one
    ``--rpc`` option, and the client never logs the credentials with the URL.
    """
    parts = urlsplit(url)
    if parts.username is None:
        return RpcClient(url, **options)
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    auth = (unquote(parts.username), unquote(parts.password or ""))
    return RpcClient(bare, auth=auth, **options)


class BitcoinNode:
    """The few calls ingest needs; also the UTXO cache's fallback (``raw_transactions``).

    ``prevouts``: whether to ask for ``getblock <hash> 3``; ``None`` finds out from the
    first answer that tells (an error, or an input without ``prevout``, means no), once:
    after that, each block costs one call either way.
    """

    def __init__(self, rpc: RpcClient, prevouts: bool | None = None) -> None:
        self.rpc = rpc
        self.prevouts = prevouts

    def head(self) -> int:
        return int(self.rpc.call("getblockcount"))

    def block_hashes(self, numbers: Sequence[int]) -> list[str]:
        return [str(h) for h in self.rpc.batch([("getblockhash", [n]) for n in numbers])]

    def block_ref(self, number: int) -> BlockRef:
        """Header of the block now at ``number`` (parsed from the raw 80 bytes)."""
        hash_ = self.block_hashes([number])[0]
        header = bytes.fromhex(self.rpc.call("getblockheader", [hash_, False]))
        if len(header) != HEADER_SIZE or block_hash(header) != hash_:
            raise RpcError(f"node sent a header that does not hash to {hash_}")
        return BlockRef(number, hash_, parent_hash(header), header_time(header))

    def raw_blocks(self, numbers: Sequence[int]) -> list[bytes]:
        """Consensus bytes of the blocks now at ``numbers``, in order (two batched calls)."""
        return self._raw_blocks(self.block_hashes(numbers))

    def _raw_blocks(self, hashes: Sequence[str]) -> list[bytes]:
        blocks = [bytes.fromhex(h) for h in self.rpc.batch([("getblock", [h, 0]) for h in hashes])]
        for hash_, raw in zip(hashes, blocks, strict=True):
            if block_hash(raw) != hash_:
                raise RpcError(f"getblock {hash_} returned a block with another hash")
        return blocks

    def fetch(self, numbers: Sequence[int]) -> list[FetchedBlock]:
        """Raw blocks now at ``numbers`` with their prevouts where the node sends them."""
        if self.prevouts is False:
            return [(raw, None) for raw in self.raw_blocks(numbers)]
        hashes = self.block_hashes(numbers)
        answers = self.rpc.batch_results([("getblock", [h, 3]) for h in hashes])
        out: list[FetchedBlock] = []
        for hash_, answer in zip(hashes, answers, strict=True):
            if isinstance(answer, NodeError) and answer.code == _WARMING_UP:
                raise answer  # says nothing about verbosity 3
            spent = None if isinstance(answer, NodeError) else spent_outputs(answer)
            if spent is None:
                if self.prevouts:  # it did before: not a capability question any more
                    raise answer if isinstance(answer, NodeError) else RpcError(
                        f"getblock {hash_} 3 returned no prevouts")
                log.info("bitcoin: node does not send prevouts with blocks (getblock "
                         "verbosity 3): resolving them from the UTXO cache and the node")
                self.prevouts = False
                return [(raw, None) for raw in self._raw_blocks(hashes)]
            if spent and self.prevouts is None:
                log.info("bitcoin: node sends prevouts with blocks (getblock verbosity 3)")
                self.prevouts = True
            raw = raw_block(answer)
            if block_hash(raw) != hash_:
                raise RpcError(f"getblock {hash_} 3 describes a block with another hash")
            out.append((raw, spent))
        return out

    def mempool_txids(self) -> list[str]:
        return [str(txid) for txid in self.rpc.call("getrawmempool", [False])]

    def raw_transactions(self, txids: Sequence[str]) -> dict[str, bytes]:
        """Raw transactions by txid; unknown txids are left out (needs ``-txindex``)."""
        results = self.rpc.batch_results([("getrawtransaction", [txid, 0]) for txid in txids])
        found: dict[str, bytes] = {}
        for txid, result in zip(txids, results, strict=True):
            if isinstance(result, NodeError):
                if result.code == _NOT_FOUND:
                    continue
                raise result
            found[txid] = bytes.fromhex(result)
        return found
