"""The exchange's Ed25519 feed key: key ids, a keyring of trusted keys, and signed heads.

A signed head says "the feed of SOURCE had SEQ events ending in HASH at TIME, signed by
key KID" — Certificate Transparency's signed tree head for a hash chain. The signed bytes
are a short text statement (see :func:`statement`) rather than JSON, so that anyone can
rebuild them with ``jq`` and check the signature with ``openssl pkeyutl -verify -rawin``
(docs/feed.md) without trusting txmon's code.

Key ids are the first 16 hex digits of SHA-256 over the raw 32-byte public key. A
verifier holds a keyring of every key the exchange has used: after a rotation the old
heads keep verifying with the old key, and a head naming a key outside the ring fails.
The private key is read from a file or the environment through the settings object and
is never logged or printed.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from txmon.errors import ConfigError

STATEMENT_TAG = "txmon-feed-head/v1"


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex of SHA-256 over the raw public key: short, stable, collision-safe."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def statement(source: str, seq: int, digest: str, time: str, kid: str) -> bytes:
    """The exact bytes a head signature covers: one field per line, newline-terminated."""
    return f"{STATEMENT_TAG}\n{source}\n{seq}\n{digest}\n{time}\n{kid}\n".encode()


@dataclass(frozen=True, slots=True)
class Signer:
    """The current private feed key (never printed: ``repr`` shows only the key id)."""

    _key: Ed25519PrivateKey
    kid: str

    @classmethod
    def from_pem(cls, pem: bytes) -> Signer:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            # The exception text never contains key material, only the parse problem.
            raise ConfigError(f"feed key is not an unencrypted PEM private key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("feed key must be an Ed25519 private key")
        return cls(key, key_id(key.public_key()))

    def sign(self, message: bytes) -> str:
        """Base64 of the Ed25519 signature (``base64 -d`` gives the 64 raw bytes)."""
        return base64.b64encode(self._key.sign(message)).decode()

    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def public_pem(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def __repr__(self) -> str:
        return f"Signer(kid={self.kid!r})"


class Keyring:
    """Trusted public feed keys by key id."""

    def __init__(self, keys: Iterable[Ed25519PublicKey] = ()) -> None:
        self._keys = {key_id(k): k for k in keys}

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> Keyring:
        """Keys from PEM files (SubjectPublicKeyInfo, as written by ``txmon alerts keygen``)."""
        keys = []
        for path in paths:
            try:
                key = serialization.load_pem_public_key(Path(path).read_bytes())
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{path}: not a readable PEM public key: {exc}") from None
            if not isinstance(key, Ed25519PublicKey):
                raise ConfigError(f"{path}: not an Ed25519 public key")
            keys.append(key)
        return cls(keys)

    @property
    def ids(self) -> list[str]:
        return sorted(self._keys)

    def verify(self, kid: str, message: bytes, signature: str) -> str | None:
        """None when ``signature`` over ``message`` is valid for key ``kid``; else why not."""
        key = self._keys.get(kid)
        if key is None:
            return f"signed by unknown key {kid!r} (trusted: {', '.join(self.ids) or 'none'})"
        try:
            key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return f"signature by key {kid} does not verify"
        return None


def generate(private_path: Path, public_path: Path) -> str:
    """Write a new keypair (private key 0600, created exclusively); return its key id."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    private_path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never overwrite a key in use; 0o600 from creation, not chmod'ed afterwards.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path.write_bytes(Signer(key, key_id(key.public_key())).public_pem())
    return key_id(key.public_key())


def load_signer(path: Path | None, pem: str | None) -> Signer | None:
    """The feed key from a file or PEM text (settings ``feed_key_file`` / ``feed_key``).

    None when neither is set (the feed is then unsigned). A key file readable by others
    is refused: the key is what makes the feed the exchange's word.
    """
    if path is not None and pem is not None:
        raise ConfigError("set only one of TXMON_FEED_KEY_FILE and TXMON_FEED_KEY")
    if pem is not None:
        return Signer.from_pem(pem.encode())
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"TXMON_FEED_KEY_FILE: cannot read {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise ConfigError(f"TXMON_FEED_KEY_FILE: {path} is readable by group or others "
                          f"(mode {mode & 0o777:o}); chmod 600 it")
    return Signer.from_pem(data)
