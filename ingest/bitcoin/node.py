"""Blocks and transactions from a bitcoind-compatible node (Bitcoin Core, btcd) over JSON-RPC.

Everything is asked for in raw form (``getblock <hash> 0``, ``getblockheader <hash> false``,
``getrawtransaction <txid> 0``) and parsed here, so addresses are derived by our own code
for every source — the node's verbose JSON differs between Core versions and btcd (Core
stopped reporting addresses for P2PK and bare multisig in v22). Calls go through the shared
:class:`ingest.rpc.RpcClient` (batches matched by id, retries of read-only calls only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from ingest.bitcoin.parse import HEADER_SIZE, block_hash, header_time, parent_hash
from ingest.rpc import NodeError, RpcClient
from ingest.source import BlockRef
from txmon.errors import RpcError

# Core's and btcd's code for "no such transaction" (RPC_INVALID_ADDRESS_OR_KEY).
_NOT_FOUND = -5


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
    """The few calls ingest needs; also the UTXO cache's fallback (``raw_transactions``)."""

    def __init__(self, rpc: RpcClient) -> None:
        self.rpc = rpc

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
        hashes = self.block_hashes(numbers)
        blocks = [bytes.fromhex(h) for h in self.rpc.batch([("getblock", [h, 0]) for h in hashes])]
        for hash_, raw in zip(hashes, blocks, strict=True):
            if block_hash(raw) != hash_:
                raise RpcError(f"getblock {hash_} returned a block with another hash")
        return blocks

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
