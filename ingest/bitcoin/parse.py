"""Raw block bytes → header fields and transactions with their txids, merkle root checked.

python-bitcoinlib parses the inputs and outputs (``CTxIn``/``CTxOut`` deserialisers). We
do not call ``CBlock.deserialize``: it also builds two merkle trees by re-serialising every
transaction (``GetTxid``/``GetHash``), half its time. Nor ``CTransaction.stream_
deserialize``: the 20 lines of transaction framing (version, segwit marker, witness,
locktime) are done here so that the byte offsets of each part are known — a txid is then
the double SHA-256 of the transaction's own bytes with marker, flag and witness cut out,
nothing is serialised twice, and the witness is skipped rather than turned into objects
nobody reads. The merkle root recomputed from those txids must equal the header's, and a
wrong offset could not pass that check: a block whose transactions do not hash to its
header is a broken source, never silently accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
from dataclasses import dataclass
from typing import NamedTuple

from bitcoin.core import CTxIn, CTxOut
from bitcoin.core.serialize import SerializationError, VarIntSerializer, VectorSerializer

from txmon.errors import TxmonError

HEADER_SIZE = 80


class BlockIntegrityError(TxmonError):
    """Block bytes that do not parse or do not match their header: the source is broken."""


class ParsedTx(NamedTuple):
    """A transaction's txid (big-endian hex, as RPC and explorers show it), inputs, outputs."""

    txid: str
    vin: tuple[CTxIn, ...]
    vout: tuple[CTxOut, ...]
    segwit: bool


@dataclass(frozen=True, slots=True)
class ParsedBlock:
    """Header fields and transactions of one block, in block order."""

    hash: str
    parent_hash: str
    time: dt.datetime
    merkle_root: str
    txs: tuple[ParsedTx, ...]


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def block_hash(header: bytes) -> str:
    """Hash of an 80-byte header, big-endian hex."""
    return sha256d(header[:HEADER_SIZE])[::-1].hex()


def parent_hash(header: bytes) -> str:
    return header[4:36][::-1].hex()


def header_time(header: bytes) -> dt.datetime:
    return dt.datetime.fromtimestamp(struct.unpack_from("<I", header, 68)[0], dt.UTC)


def _read_varint(raw: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it) of the CompactSize integer at ``pos``."""
    first = raw[pos]
    if first < 0xFD:
        return first, pos + 1
    width = 2 if first == 0xFD else 4 if first == 0xFE else 8
    return int.from_bytes(raw[pos + 1 : pos + 1 + width], "little"), pos + 1 + width


def _skip_witness(raw: bytes, pos: int, inputs: int) -> int:
    """Position after the witness section (one stack of items per input)."""
    for _ in range(inputs):
        items, pos = _read_varint(raw, pos)
        for _ in range(items):
            size, pos = _read_varint(raw, pos)
            pos += size
    return pos


def read_transaction(raw: bytes, stream: io.BytesIO) -> tuple[bytes, ParsedTx]:
    """(txid as little-endian digest, transaction) at the stream's position; the stream moves
    past it. Same framing rule as Core and python-bitcoinlib: marker 0x00 then flag 0x01
    after the version means the extended (witness, BIP-144) serialisation.
    """
    start = stream.tell()
    segwit = raw[start + 4 : start + 6] == b"\x00\x01"
    stream.seek(start + (6 if segwit else 4))
    vin = VectorSerializer.stream_deserialize(CTxIn, stream)
    vout = VectorSerializer.stream_deserialize(CTxOut, stream)
    body_end = stream.tell()
    end = (_skip_witness(raw, body_end, len(vin)) if segwit else body_end) + 4
    if end > len(raw):
        raise SerializationError("transaction runs past the end of the data")
    stream.seek(end)
    if segwit:
        inner = hashlib.sha256(raw[start : start + 4])
        inner.update(raw[start + 6 : body_end])
        inner.update(raw[end - 4 : end])
        txid = hashlib.sha256(inner.digest()).digest()
    else:
        txid = sha256d(raw[start:end])
    return txid, ParsedTx(txid[::-1].hex(), tuple(vin), tuple(vout), segwit)


def parse_transaction(raw: bytes) -> ParsedTx:
    """One serialised transaction (what ``getrawtransaction <txid> 0`` returns)."""
    stream = io.BytesIO(raw)
    try:
        _, ptx = read_transaction(raw, stream)
    except (SerializationError, struct.error, ValueError, IndexError) as exc:
        raise BlockIntegrityError(f"transaction does not parse: {exc}") from exc
    if stream.tell() != len(raw):
        raise BlockIntegrityError(f"transaction has {len(raw) - stream.tell()} trailing bytes")
    return ptx


def merkle_root(txids: list[bytes]) -> bytes:
    """Bitcoin merkle root of little-endian txids (last hash paired with itself when odd)."""
    if not txids:
        raise BlockIntegrityError("block has no transactions")
    level = txids
    while len(level) > 1:
        if len(level) % 2:
            level = [*level, level[-1]]
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def parse_block(raw: bytes) -> ParsedBlock:
    """Parse consensus-serialised block bytes (what ``getblock <hash> 0`` returns)."""
    stream = io.BytesIO(raw)
    stream.seek(HEADER_SIZE)
    try:
        count = VarIntSerializer.stream_deserialize(stream)
        read = [read_transaction(raw, stream) for _ in range(count)]
    except (SerializationError, struct.error, ValueError, IndexError) as exc:
        raise BlockIntegrityError(f"block does not parse: {exc}") from exc
    if len(raw) < HEADER_SIZE or stream.tell() != len(raw):
        raise BlockIntegrityError(f"block has {len(raw) - stream.tell()} trailing bytes")
    root = merkle_root([digest for digest, _ in read])
    header_root = raw[36:68]
    hash_ = block_hash(raw)
    if root != header_root:
        raise BlockIntegrityError(f"block {hash_}: merkle root does not match its transactions")
    return ParsedBlock(
        hash=hash_,
        parent_hash=parent_hash(raw),
        time=header_time(raw),
        merkle_root=header_root[::-1].hex(),
        txs=tuple(ptx for _, ptx in read),
    )
