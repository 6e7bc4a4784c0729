"""Bitcoin Core block files (``blocks/blk*.dat``) as a block source for fast historical replay.

Layout: each file is a sequence of ``magic (4) | size (4, LE) | block (size)`` records, in
the order blocks were *received* (headers-first download stores children before parents,
and stale forks are kept), so heights come from linking headers, not from file order.
The tail of a file may be zero pre-allocation or a block still being written: scanning a
file stops there. Core ≥ 28 obfuscates the files by XOR with the 8-byte key in
``blocks/xor.dat``, applied by file offset; without that file (older Core) the key is zero.

Only the headers are read to build the index (8 + 80 bytes per block, by seeking), so a
full mainnet directory costs one short read per block, not a read of every byte.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bitcoin.core.serialize import VarIntSerializer

from ingest.bitcoin.parse import (
    HEADER_SIZE,
    block_hash,
    header_time,
    parent_hash,
    read_transaction,
    sha256d,
)
from ingest.source import BlockRef
from txmon.addresses.networks import Network
from txmon.errors import ConfigError, TxmonError

XOR_FILE = "xor.dat"
_BLK_NAME = re.compile(r"blk(\d+)\.dat")


class BlockFileError(TxmonError):
    """A block file is malformed (bad magic, or a chain that cannot be put together)."""


def read_xor_key(blocks_dir: Path) -> bytes:
    """The obfuscation key of ``blocks_dir`` (8 zero bytes when there is no ``xor.dat``)."""
    path = blocks_dir / XOR_FILE
    if not path.exists():
        return bytes(8)
    key = path.read_bytes()
    if len(key) != 8:
        raise BlockFileError(f"{path}: expected an 8-byte key, found {len(key)} bytes")
    return key


def xor_at(data: bytes, key: bytes, offset: int) -> bytes:
    """Undo (or apply) the obfuscation of ``data`` that starts at file ``offset``."""
    if not any(key) or not data:
        return data
    shift = offset % len(key)
    rotated = key[shift:] + key[:shift]
    stream = (rotated * (len(data) // len(rotated) + 1))[: len(data)]
    mixed = int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")
    return mixed.to_bytes(len(data), "little")


@dataclass(frozen=True, slots=True)
class BlockLocation:
    """Where a block's bytes are: the file and the offset just after its 8-byte record head."""

    path: Path
    offset: int
    size: int
    header: bytes


def scan_file(path: Path, magic: bytes, key: bytes) -> Iterator[BlockLocation]:
    """Every complete block record of one ``blk*.dat`` file, in file order."""
    file_size = path.stat().st_size
    with path.open("rb") as handle:
        offset = 0
        while offset + 8 + HEADER_SIZE <= file_size:
            handle.seek(offset)
            head = xor_at(handle.read(8 + HEADER_SIZE), key, offset)
            if head[:4] == b"\0\0\0\0":
                return  # zero pre-allocation: no more blocks in this file
            if head[:4] != magic:
                raise BlockFileError(f"{path}@{offset}: bad magic {head[:4].hex()}")
            size = int.from_bytes(head[4:8], "little")
            if offset + 8 + size > file_size:
                return  # a block still being written by a running node
            yield BlockLocation(path, offset + 8, size, head[8:])
            offset += 8 + size


def block_files(blocks_dir: Path) -> list[Path]:
    """``blk*.dat`` files in numeric order."""
    numbered = [(_BLK_NAME.fullmatch(path.name), path) for path in blocks_dir.iterdir()]
    return [path for match, path in sorted(numbered, key=_file_number) if match]


def _file_number(item: tuple[re.Match[str] | None, Path]) -> int:
    return -1 if item[0] is None else int(item[0].group(1))


def read_block(location: BlockLocation, key: bytes) -> bytes:
    with location.path.open("rb") as handle:
        handle.seek(location.offset)
        raw = handle.read(location.size)
    return xor_at(raw, key, location.offset)


def _work(header: bytes) -> int:
    """Expected hashes to find a block with this header's target (Core's ``GetBlockProof``)."""
    bits = int.from_bytes(header[72:76], "little")
    target = (bits & 0x007FFFFF) << (8 * ((bits >> 24) - 3)) if bits >> 24 >= 3 else 0
    return (1 << 256) // (target + 1) if target > 0 else 0


def bip34_height(raw_block: bytes) -> int | None:
    """Height committed in the coinbase (BIP-34), or ``None`` if the block predates it.

    Only version ≥ 2 blocks carry it: earlier coinbases often start with a push of other
    data (e.g. nBits) that would read as a height.
    """
    if int.from_bytes(raw_block[:4], "little", signed=True) < 2:
        return None
    stream = io.BytesIO(raw_block)
    stream.seek(HEADER_SIZE)
    VarIntSerializer.stream_deserialize(stream)  # transaction count
    script = bytes(read_transaction(raw_block, stream)[1].vin[0].scriptSig)
    if not script:
        return None
    if 0x51 <= script[0] <= 0x60:  # OP_1 … OP_16
        return script[0] - 0x50
    if 1 <= script[0] <= 8 and len(script) > script[0]:
        return int.from_bytes(script[1 : 1 + script[0]], "little")
    return None


class BlockFileReader:
    """The best chain stored in a Bitcoin Core ``blocks`` directory, by height.

    The chain is the one with the most work among the blocks present (Core's rule), so
    stale blocks kept in the files are ignored. A directory that does not start at the
    genesis block takes its first height from the BIP-34 coinbase, or from
    ``start_height`` for blocks older than BIP-34. The index is built once, at start.
    """

    def __init__(self, blocks_dir: Path, net: Network, start_height: int | None = None) -> None:
        self.blocks_dir = blocks_dir
        self.key = read_xor_key(blocks_dir)
        locations: dict[bytes, BlockLocation] = {}
        for path in block_files(blocks_dir):
            for location in scan_file(path, net.magic, self.key):
                locations[sha256d(location.header)] = location
        if not locations:
            raise ConfigError(f"no {net.name} blocks in {blocks_dir}")
        self._chain = _best_chain(locations)
        root = self._chain[0]
        if block_hash(root.header) == net.genesis_hash:
            self._base = 0
        else:
            height = bip34_height(read_block(root, self.key))
            if start_height is not None:
                if height is not None and height != start_height:
                    raise ConfigError(
                        f"{blocks_dir} starts at height {height} (its first block's BIP-34 "
                        f"coinbase), not {start_height}"
                    )
                height = start_height
            if height is None:
                raise ConfigError(
                    f"{blocks_dir} does not start at genesis and its first block predates "
                    "BIP-34: give its height explicitly"
                )
            self._base = height

    def head(self) -> int:
        return self._base + len(self._chain) - 1

    def _at(self, number: int) -> BlockLocation:
        if not self._base <= number <= self.head():
            raise BlockFileError(f"height {number} is not in {self.blocks_dir}")
        return self._chain[number - self._base]

    def block_ref(self, number: int) -> BlockRef:
        header = self._at(number).header
        return BlockRef(number, block_hash(header), parent_hash(header), header_time(header))

    def raw_blocks(self, numbers: Sequence[int]) -> list[bytes]:
        return [read_block(self._at(n), self.key) for n in numbers]


def _best_chain(locations: dict[bytes, BlockLocation]) -> list[BlockLocation]:
    """Root-to-tip list of the most-work chain; exactly one root (unconnected block) allowed."""
    children: dict[bytes, list[bytes]] = {}
    roots = []
    for hash_, location in locations.items():
        parent = location.header[4:36]
        if parent in locations:
            children.setdefault(parent, []).append(hash_)
        else:
            roots.append(hash_)
    if len(roots) != 1:
        names = ", ".join(sorted(h[::-1].hex() for h in roots)[:5])
        raise BlockFileError(f"blocks form {len(roots)} unconnected chains (roots {names})")
    work = {roots[0]: _work(locations[roots[0]].header)}
    best = roots[0]
    pending = [roots[0]]
    while pending:  # iterative: a mainnet chain is far deeper than Python's recursion limit
        hash_ = pending.pop()
        for child in children.get(hash_, ()):
            work[child] = work[hash_] + _work(locations[child].header)
            if work[child] > work[best]:
                best = child
            pending.append(child)
    chain = [locations[best]]
    while (parent := chain[-1].header[4:36]) in locations:
        chain.append(locations[parent])
    chain.reverse()
    return chain
