"""The Bitcoin entry of the chain registry: a source built from CLI options.

:data:`txmon.chains.CHAINS` names this function by import path. Two sources: a node
(``--rpc``) or Bitcoin Core block files (``--blocks-dir``, with an optional node for
prevouts and ``--start-height`` for files that do not start at genesis).
"""

from __future__ import annotations

from pathlib import Path

from ingest.bitcoin.node import connect
from ingest.bitcoin.source import BitcoinSource, blocks_dir_source, rpc_source
from txmon.addresses.networks import network_by_name
from txmon.chains import SourceOptions
from txmon.errors import ConfigError
from txmon.store.base import Store


def build(store: Store, options: SourceOptions) -> BitcoinSource:
    """The source the options name; a ConfigError names a missing or misplaced option."""
    if options.start_height is not None and not options.blocks_dir:
        raise ConfigError("--start-height is for bitcoin --blocks-dir")
    net = network_by_name(options.network)
    if options.blocks_dir:
        rpc = connect(options.rpc_url) if options.rpc_url else None
        return blocks_dir_source(Path(options.blocks_dir), net, store, rpc=rpc,
                                 start_height=options.start_height)
    if not options.rpc_url:
        raise ConfigError("bitcoin needs --rpc URL or --blocks-dir DIR")
    return rpc_source(connect(options.rpc_url), net, store)
