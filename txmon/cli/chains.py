"""Build a chain source from command-line options (shared by ``ingest`` and ``replay``)."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.source import ChainSource
from txmon import chains
from txmon.store.base import Store

CHAINS = tuple(chains.CHAINS)  # the one chain list (txmon/chains.py)


def chain_options(func: click.decorators.FC) -> click.decorators.FC:
    """Options every chain command takes (unused ones are rejected per chain)."""
    options = [
        click.option("--rpc", "rpc_url", help="Node JSON-RPC URL; Bitcoin: "
                     "http://user:password@host:port."),
        click.option("--network", default="mainnet", show_default=True,
                     help="Bitcoin network parameters: mainnet, testnet, regtest."),
        click.option("--blocks-dir", type=click.Path(exists=True, file_okay=False),
                     help="Bitcoin Core blocks directory (blk*.dat, xor.dat) to replay."),
        click.option("--no-traces", is_flag=True,
                     help="Ethereum: skip call traces (faster; no internal transfers)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_source(chain: str, store: Store, rpc_url: str | None, network: str,
                 blocks_dir: str | None, no_traces: bool,
                 start_height: int | None = None) -> ChainSource:
    """The ChainSource for ``chain``; a usage error names a missing or misplaced option.

    ``start_height``: height of the first block in ``blocks_dir`` (files that do not
    start at genesis).
    """
    if start_height is not None and not blocks_dir:
        raise click.UsageError("--start-height is for bitcoin --blocks-dir")
    if chain == "ethereum":
        if not rpc_url:
            raise click.UsageError("ethereum needs --rpc URL")
        if blocks_dir:
            raise click.UsageError("--blocks-dir is for bitcoin")
        from ingest.ethereum.source import EthereumSource

        return EthereumSource.from_url(rpc_url, traces=not no_traces)
    from ingest.bitcoin.network import network_by_name
    from ingest.bitcoin.node import connect
    from ingest.bitcoin.source import blocks_dir_source, rpc_source

    net = network_by_name(network)
    if blocks_dir:
        rpc = connect(rpc_url) if rpc_url else None
        return blocks_dir_source(Path(blocks_dir), net, store, rpc=rpc,
                                 start_height=start_height)
    if not rpc_url:
        raise click.UsageError("bitcoin needs --rpc URL or --blocks-dir DIR")
    return rpc_source(connect(rpc_url), net, store)
