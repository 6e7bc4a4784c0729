"""The Ethereum entry of the chain registry: a source built from CLI options.

:data:`txmon.chains.CHAINS` names this function by import path, so the CLI (``ingest``,
``replay``) builds any chain's source the same way and imports web3 only for Ethereum.
"""

from __future__ import annotations

from ingest.ethereum.source import EthereumSource
from txmon.chains import SourceOptions
from txmon.errors import ConfigError
from txmon.store.base import Store


def build(store: Store, options: SourceOptions) -> EthereumSource:
    """Follow the node at ``--rpc`` (``--no-traces``: no internal transfers); no store use."""
    del store  # Ethereum keeps no UTXO-like state in the store
    if not options.rpc_url:
        raise ConfigError("ethereum needs --rpc URL")
    return EthereumSource.from_url(options.rpc_url, traces=not options.no_traces)
