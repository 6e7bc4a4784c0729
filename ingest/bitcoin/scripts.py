"""Output script → (script type, address): the one place Bitcoin addresses are derived.

Every output gets an address, because screening must never drop value:

==============  ==================================================================
script_type     address
==============  ==================================================================
p2pkh, p2sh     Base58Check with the network's version byte
p2pk            the P2PKH address of the public key (what explorers and lists show)
p2wpkh, p2wsh   Bech32, witness v0
p2tr            Bech32m, witness v1 (BIP-350)
anchor          Bech32m of the v1 program ``4e73`` (pay-to-anchor)
witness_unknown Bech32m of a future witness version (v1 other lengths, v2–v16)
multisig        ``script:<sha256 of the script>``; the P2PKH address of each public key
                is carried in ``keys`` (the caller emits them as zero-amount legs)
nulldata        ``script:<sha256 of the script>`` (OP_RETURN)
nonstandard     ``script:<sha256 of the script>``
==============  ==================================================================

Bare multisig is keyed by the script rather than by one of its keys because the coins
belong to the key set, not to any single key: giving each key the full amount would
multiply the value moved, splitting it would invent a split. The keys stay visible
(zero-amount legs) so that a tagged key in a multisig is still found.

The classification follows Bitcoin Core's ``Solver`` (script/solver.cpp); matching is by
byte layout first because this runs for every output of every block.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from bitcoin.core.contrib.ripemd160 import ripemd160 as _pure_ripemd160
from bitcoin.core.script import CScript, CScriptInvalidError

from txmon.addresses.base58 import b58check_encode
from txmon.addresses.bech32 import encode_segwit_address
from txmon.addresses.networks import Network

OP_0, OP_1, OP_16 = 0x00, 0x51, 0x60
OP_RETURN, OP_CHECKSIG, OP_CHECKMULTISIG = 0x6A, 0xAC, 0xAE
_ANCHOR_PROGRAM = b"\x4e\x73"


class ScriptInfo(NamedTuple):
    """What an output script pays to.

    A NamedTuple rather than a frozen dataclass: one is built for every output, and it
    constructs in half the time.
    """

    script_type: str
    address: str
    keys: tuple[str, ...] = ()  # multisig only: P2PKH address of each public key, in order


def hash160(data: bytes) -> bytes:
    """RIPEMD160(SHA256(data)); OpenSSL's RIPEMD160 when it has one (much faster)."""
    digest = hashlib.sha256(data).digest()
    try:
        return hashlib.new("ripemd160", digest).digest()
    except ValueError:  # OpenSSL 3 without the legacy provider
        return bytes(_pure_ripemd160(digest))


def script_key(script: bytes) -> str:
    """Stable key for value sent to a script that has no address."""
    return "script:" + hashlib.sha256(script).hexdigest()


def _valid_pubkey(key: bytes) -> bool:
    """Core's ``CPubKey::ValidSize``: the prefix byte must agree with the length."""
    size = len(key)
    return (size == 33 and key[0] in (2, 3)) or (size == 65 and key[0] in (4, 6, 7))


def describe(script: bytes, net: Network) -> ScriptInfo:
    """Classify ``script`` and derive its address on ``net``. Never fails: unknown → nonstandard."""
    size = len(script)
    if size == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return ScriptInfo("p2pkh", b58check_encode(net.p2pkh_version, script[3:23]))
    if size == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return ScriptInfo("p2sh", b58check_encode(net.p2sh_version, script[2:22]))
    if (
        4 <= size <= 42
        and script[1] == size - 2
        and (script[0] == OP_0 or OP_1 <= script[0] <= OP_16)
    ):
        witness = _witness(script, net)
        if witness is not None:
            return witness
    if size in (35, 67) and script[0] == size - 2 and script[-1] == OP_CHECKSIG:
        key = script[1:-1]
        if _valid_pubkey(key):
            return ScriptInfo("p2pk", b58check_encode(net.p2pkh_version, hash160(key)))
    if size and script[0] == OP_RETURN:
        return ScriptInfo(_op_return_type(script), script_key(script))
    if size and script[-1] == OP_CHECKMULTISIG:
        keys = _multisig_keys(script)
        if keys is not None:
            addresses = tuple(b58check_encode(net.p2pkh_version, hash160(k)) for k in keys)
            return ScriptInfo("multisig", script_key(script), addresses)
    return ScriptInfo("nonstandard", script_key(script))


def _witness(script: bytes, net: Network) -> ScriptInfo | None:
    """Witness programs (BIP-141/341/350); ``None`` for a v0 program of invalid length."""
    version = 0 if script[0] == OP_0 else script[0] - OP_1 + 1
    program = script[2:]
    if version == 0:
        kind = {20: "p2wpkh", 32: "p2wsh"}.get(len(program))
        return (
            None if kind is None else ScriptInfo(kind, encode_segwit_address(net.hrp, 0, program))
        )
    if version == 1 and len(program) == 32:
        kind = "p2tr"
    elif version == 1 and program == _ANCHOR_PROGRAM:
        kind = "anchor"
    else:
        kind = "witness_unknown"
    return ScriptInfo(kind, encode_segwit_address(net.hrp, version, program))


def _op_return_type(script: bytes) -> str:
    """Core calls OP_RETURN followed only by pushes ``nulldata``; anything else is nonstandard."""
    try:
        return "nulldata" if CScript(script[1:]).is_push_only() else "nonstandard"
    except CScriptInvalidError:  # a push that runs past the end of the script
        return "nonstandard"


def _multisig_keys(script: bytes) -> list[bytes] | None:
    """Public keys of ``OP_m <key>… OP_n OP_CHECKMULTISIG`` (1 ≤ m ≤ n ≤ 16), else ``None``."""
    try:
        ops = list(CScript(script).raw_iter())
    except CScriptInvalidError:
        return None
    if len(ops) < 4 or not all(OP_1 <= ops[i][0] <= OP_16 for i in (0, -2)):
        return None
    required, total = ops[0][0] - OP_1 + 1, ops[-2][0] - OP_1 + 1
    keys = [data for _, data, _ in ops[1:-2]]
    if total != len(keys) or required > total:
        return None
    if not all(key is not None and _valid_pubkey(key) for key in keys):
        return None
    return keys
