"""Build a chain source from command-line options (shared by ``ingest`` and ``replay``).

Which chains exist, which options each takes and which function builds its source are in
the chain registry (:mod:`txmon.chains`); this module only declares the options to click.
"""

from __future__ import annotations

from typing import cast

import click

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


def build_source(chain: str, store: Store, rpc_url: str | None, network: str,
                 blocks_dir: str | None, no_traces: bool,
                 start_height: int | None = None) -> ChainSource:
    """The ChainSource for ``chain``; a usage error names a missing or misplaced option.

    ``start_height``: height of the first block in ``blocks_dir`` (files that do not
    start at genesis).
    """
    spec = chains.chain(chain)
    options = chains.SourceOptions(rpc_url=rpc_url, network=network, blocks_dir=blocks_dir,
                                   no_traces=no_traces, start_height=start_height)
    spec.check_options(options)
    return cast(ChainSource, spec.source_factory()(store, options))
