"""Bitcoin network parameters, passed explicitly to everything that needs them.

python-bitcoinlib keeps its network in a process-wide global (``SelectParams``); a process
that follows mainnet and regtest at once, or a test suite that mixes them, would then
derive wrong addresses silently. Every txmon function that encodes an address takes a
:class:`Network` instead, and python-bitcoinlib is used only for parsing, which does not
depend on its global.
"""

from __future__ import annotations

from dataclasses import dataclass

from txmon.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Network:
    """What differs between Bitcoin networks for ingest: address prefixes and file magic."""

    name: str  # the Transfer.network value: mainnet, testnet, signet, regtest
    hrp: str  # bech32/bech32m human-readable part (BIP-173)
    p2pkh_version: int  # base58check version byte of P2PKH addresses
    p2sh_version: int  # base58check version byte of P2SH addresses
    magic: bytes  # message start bytes framing each block in blk*.dat files
    genesis_hash: str  # big-endian hex, as RPC shows it


MAINNET = Network(
    name="mainnet",
    hrp="bc",
    p2pkh_version=0x00,
    p2sh_version=0x05,
    magic=bytes.fromhex("f9beb4d9"),
    genesis_hash="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
)
TESTNET = Network(
    name="testnet",
    hrp="tb",
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    magic=bytes.fromhex("0b110907"),
    genesis_hash="000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
)
SIGNET = Network(
    name="signet",
    hrp="tb",
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    magic=bytes.fromhex("0a03cf40"),
    genesis_hash="00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
)
REGTEST = Network(
    name="regtest",
    hrp="bcrt",
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    magic=bytes.fromhex("fabfb5da"),
    genesis_hash="0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
)

NETWORKS = {net.name: net for net in (MAINNET, TESTNET, SIGNET, REGTEST)}


def network_by_name(name: str) -> Network:
    """Look up a network by its ``Transfer.network`` name; unknown names are a config error."""
    try:
        return NETWORKS[name]
    except KeyError:
        known = ", ".join(sorted(NETWORKS))
        raise ConfigError(f"unknown bitcoin network {name!r} (known: {known})") from None
