"""Build a chain source from command-line options (shared by ``ingest`` and ``replay``).

Which chains exist, which options each takes and which function builds its source are in
the chain registry (:mod:`txmon.chains`); this module only declares the options to click.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import click

from ingest.follower import BATCH_BLOCKS, KEEP, WORKERS
from ingest.source import ChainSource
from txmon import chains
from txmon.store.base import Store

CHAINS = tuple(chains.CHAINS)  # the one chain list (txmon/chains.py)

# Every SourceOptions field as a click option; a chain's commands get the ones it takes.
_OPTIONS = {
    "rpc_url": click.option("--rpc", "rpc_url", help="Node JSON-RPC URL; Bitcoin: "
                            "http://user:password@host:port."),
    "network": click.option("--network", default="mainnet", show_default=True,
                            help="Bitcoin network parameters: mainnet, testnet, regtest."),
    "blocks_dir": click.option("--blocks-dir", type=click.Path(exists=True, file_okay=False),
                               help="Bitcoin Core blocks directory (blk*.dat, xor.dat) to "
                                    "replay."),
    "no_traces": click.option("--no-traces", is_flag=True,
                              help="Ethereum: skip call traces (faster; no internal "
                                   "transfers)."),
}


def chain_options(func: click.decorators.FC) -> click.decorators.FC:
    """Source options every chain command takes (the registry refuses misplaced ones)."""
    for option in reversed(list(_OPTIONS.values())):
        func = option(func)
    return func


def follower_options(live: bool) -> Callable[[click.decorators.FC], click.decorators.FC]:
    """The follower's knobs (ingest/follower.py); ``--keep`` only when following live."""
    options = [
        click.option("--workers", type=click.IntRange(1, 64), default=WORKERS,
                     show_default=True, help="Source calls (block ranges) in flight."),
        click.option("--batch-blocks", type=click.IntRange(1, 1000), default=BATCH_BLOCKS,
                     show_default=True, help="Blocks per source call."),
    ]
    if live:
        options.append(click.option(
            "--keep", type=click.IntRange(1), default=KEEP, show_default=True,
            help="Recent blocks kept for retraction; a deeper reorg stops ingest loudly."))

    def decorate(func: click.decorators.FC) -> click.decorators.FC:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def build_source(chain: str, store: Store, options: chains.SourceOptions) -> ChainSource:
    """The ChainSource for ``chain``; a ConfigError names a missing or misplaced option."""
    spec = chains.chain(chain)
    spec.check_options(options)
    return cast(ChainSource, spec.source_factory()(store, options))
