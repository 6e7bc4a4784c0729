"""Ethereum ingest: ETH, ERC-20 and internal transfers from any EVM JSON-RPC node.

Layers, wire to domain: :mod:`~ingest.ethereum.fetch` (JSON-RPC batches) →
:mod:`~ingest.ethereum.extract` (pure mapping: :mod:`~ingest.ethereum.native`,
:mod:`~ingest.ethereum.internal`, :mod:`~ingest.ethereum.erc20`) → canonical transfers.
:class:`EthereumSource` ties them together for :class:`ingest.follower.Follower`.
"""

from ingest.ethereum.source import EthereumSource

__all__ = ["EthereumSource"]
