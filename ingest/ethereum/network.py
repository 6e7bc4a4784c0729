"""Network names from EIP-155 chain ids: the ``network`` field of every transfer."""

from __future__ import annotations

CHAIN = "ethereum"

_NETWORKS = {
    1: "mainnet",
    5: "goerli",
    17000: "holesky",
    560048: "hoodi",
    11155111: "sepolia",
    1337: "dev",  # geth --dev
}


def network_name(chain_id: int) -> str:
    """``mainnet`` for 1, ``dev`` for geth ``--dev`` (1337), ``chain-<id>`` otherwise."""
    return _NETWORKS.get(chain_id, f"chain-{chain_id}")
