"""Bitcoin Core block files: framing, XOR obfuscation, chain order, fork choice, replay."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.bitcoin.blkfiles import (
    BlockFileError,
    BlockFileReader,
    read_xor_key,
    scan_file,
    xor_at,
)
from ingest.bitcoin.node import connect
from ingest.bitcoin.parse import block_hash
from ingest.bitcoin.source import blocks_dir_source
from txmon.addresses.networks import MAINNET
from txmon.errors import ConfigError
from txmon.models import Leg
from txmon.store.sqlite import SqliteStore

from .conftest import RecordedTransactions, raw_block, raw_from_verbose, verbose_block
from .loopback_node import RecordedChain, serve

CHAIN_50000 = [raw_from_verbose(verbose_block(h)) for h in (50000, 50001, 50002)]


def record(raw: bytes, magic: bytes = MAINNET.magic) -> bytes:
    return magic + struct.pack("<I", len(raw)) + raw


def write_blk(path: Path, blocks: list[bytes], key: bytes = bytes(8), tail: bytes = b"") -> None:
    """A blk*.dat file as Core writes it, obfuscated with ``key`` (zero key: plain)."""
    path.write_bytes(xor_at(b"".join(record(b) for b in blocks) + tail, key, 0))


def test_xor_is_its_own_inverse_at_any_offset() -> None:
    key = bytes.fromhex("0123456789abcdef")
    data = os.urandom(1000)
    for offset in (0, 1, 7, 8, 13):
        mixed = xor_at(data, key, offset)
        assert mixed != data
        assert xor_at(mixed, key, offset) == data
    # byte i of a file is XORed with key[i % 8]
    assert xor_at(b"\0" * 3, key, 6) == bytes([0xCD, 0xEF, 0x01])


def test_reader_orders_blocks_by_parent_link_not_file_order(tmp_path: Path) -> None:
    write_blk(tmp_path / "blk00000.dat", [CHAIN_50000[2], CHAIN_50000[0]])
    write_blk(tmp_path / "blk00001.dat", [CHAIN_50000[1]], tail=bytes(4096))  # pre-allocation
    reader = BlockFileReader(tmp_path, MAINNET, start_height=50000)
    assert reader.head() == 50002
    assert reader.raw_blocks([50000, 50001, 50002]) == CHAIN_50000
    ref = reader.block_ref(50001)
    assert ref.hash == verbose_block(50001)["hash"]
    assert ref.parent_hash == verbose_block(50000)["hash"]
    with pytest.raises(BlockFileError):
        reader.raw_blocks([50003])


def test_obfuscated_files_read_the_same(tmp_path: Path) -> None:
    key = os.urandom(8)
    (tmp_path / "xor.dat").write_bytes(key)
    write_blk(tmp_path / "blk00000.dat", CHAIN_50000[:2], key=key)
    write_blk(tmp_path / "blk00001.dat", CHAIN_50000[2:], key=key)
    assert read_xor_key(tmp_path) == key
    assert (tmp_path / "blk00000.dat").read_bytes()[:4] != MAINNET.magic  # really obfuscated
    reader = BlockFileReader(tmp_path, MAINNET, start_height=50000)
    assert reader.raw_blocks([50000, 50001, 50002]) == CHAIN_50000


def test_genesis_directory_needs_no_start_height(tmp_path: Path) -> None:
    write_blk(tmp_path / "blk00000.dat", [raw_from_verbose(verbose_block(h)) for h in (1, 0)])
    reader = BlockFileReader(tmp_path, MAINNET)
    assert reader.head() == 1
    assert reader.block_ref(0).hash == MAINNET.genesis_hash


def test_bip34_height_of_the_first_block(tmp_path: Path) -> None:
    write_blk(tmp_path / "blk00000.dat", [raw_block("block300025.raw")])
    assert BlockFileReader(tmp_path, MAINNET).head() == 300025
    write_blk(tmp_path / "blk00000.dat", [CHAIN_50000[0]])  # pre-BIP-34
    with pytest.raises(ConfigError, match="BIP-34"):
        BlockFileReader(tmp_path, MAINNET)


def _sibling(raw: bytes, parent: bytes | None = None, nonce: int = 1) -> bytes:
    """The same block with another nonce (and parent): a competing block, merkle root intact."""
    header = bytearray(raw[:80])
    if parent is not None:
        header[4:36] = parent
    header[76:80] = struct.pack("<I", nonce)
    return bytes(header) + raw[80:]


def test_most_work_chain_wins_over_a_stale_block(tmp_path: Path) -> None:
    first, second, third = CHAIN_50000
    stale = _sibling(third, nonce=7)  # competes with 50,002 …
    child = _sibling(third, parent=bytes.fromhex(block_hash(stale))[::-1], nonce=9)
    write_blk(tmp_path / "blk00000.dat", [first, second, third, stale, child])
    reader = BlockFileReader(tmp_path, MAINNET, start_height=50000)
    assert reader.head() == 50003  # … and wins once it has a child
    assert reader.block_ref(50002).hash == block_hash(stale)
    assert reader.block_ref(50003).hash == block_hash(child)


def test_bad_magic_and_unconnected_blocks_are_errors(tmp_path: Path) -> None:
    write_blk(
        tmp_path / "blk00000.dat",
        CHAIN_50000,
    )
    bad = tmp_path / "other"
    bad.mkdir()
    (bad / "blk00000.dat").write_bytes(record(CHAIN_50000[0], magic=b"\x0b\x11\x09\x07"))
    with pytest.raises(BlockFileError, match="bad magic"):
        list(scan_file(bad / "blk00000.dat", MAINNET.magic, bytes(8)))
    write_blk(bad / "blk00000.dat", [CHAIN_50000[0], CHAIN_50000[2]])
    with pytest.raises(BlockFileError, match="2 unconnected chains"):
        BlockFileReader(bad, MAINNET, start_height=50000)


def test_a_block_still_being_written_ends_the_file(tmp_path: Path) -> None:
    whole = b"".join(record(b) for b in CHAIN_50000)
    (tmp_path / "blk00000.dat").write_bytes(whole[:-10])
    found = list(scan_file(tmp_path / "blk00000.dat", MAINNET.magic, bytes(8)))
    assert len(found) == 2


def test_replay_from_block_files_gives_the_transfers(tmp_path: Path) -> None:
    key = os.urandom(8)
    (tmp_path / "xor.dat").write_bytes(key)
    write_blk(tmp_path / "blk00000.dat", list(reversed(CHAIN_50000)), key=key)
    store = SqliteStore(tmp_path / "s.db")
    source = blocks_dir_source(tmp_path, MAINNET, store, start_height=50000)
    source.decoder.utxo.fetcher = RecordedTransactions()  # prevouts from before the files
    assert source.head() == 50002
    blocks = source.fetch_blocks([50000, 50001, 50002])
    assert [b.ref.number for b in blocks] == [50000, 50001, 50002]
    assert [len(b.transfers) for b in blocks] == [1, 3, 1]
    assert blocks[1].transfers[1].outputs == (
        Leg("1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ", 100_0000_0000, "p2pkh"),
    )
    assert source.network == "mainnet"
    store.close()


def test_a_given_start_height_must_agree_with_bip34(tmp_path: Path) -> None:
    write_blk(tmp_path / "blk00000.dat", [raw_block("block702861.raw")])
    assert BlockFileReader(tmp_path, MAINNET, start_height=702861).head() == 702861
    with pytest.raises(ConfigError, match="starts at height 702861"):
        BlockFileReader(tmp_path, MAINNET, start_height=702000)


def test_block_files_from_mid_chain_without_a_node_mark_inputs_unresolved(
    tmp_path: Path,
) -> None:
    """Block 702,861 alone (a directory that starts mid-chain), no node: the run goes on."""
    write_blk(tmp_path / "blk00000.dat", [raw_block("block702861.raw")])
    store = SqliteStore(tmp_path / "s.db")
    source = blocks_dir_source(tmp_path, MAINNET, store)  # height from BIP-34
    [block] = source.fetch_blocks([702861])
    assert len(block.transfers) == 2500
    unresolved = [leg for t in block.transfers for leg in t.inputs
                  if leg.script_type == "unresolved"]  # fmt: skip
    assert len(unresolved) == 6190  # every spend of an earlier block's output
    assert len(block.rejects) == 2245  # one per transaction with any
    assert all("not in the UTXO cache and no node to ask" in r.reason for r in block.rejects)
    assert sum(len(t.outputs) for t in block.transfers) >= 2500  # outputs all there
    store.close()


def test_block_files_mid_chain_with_a_node_without_txindex(tmp_path: Path) -> None:
    """Misses go to the node, which refuses them (-5): unresolved with that reason."""
    write_blk(tmp_path / "blk00000.dat", CHAIN_50000)
    store = SqliteStore(tmp_path / "s.db")
    with serve(RecordedChain(blocks={50001: CHAIN_50000[1]})) as url:
        source = blocks_dir_source(tmp_path, MAINNET, store, rpc=connect(url),
                                   start_height=50000)
        blocks = source.fetch_blocks([50000, 50001, 50002])
        source.close()
    assert [len(b.rejects) for b in blocks] == [0, 2, 0]
    assert blocks[1].rejects[1].reason == (
        "prevout 0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216:0 "
        "unknown to the node (no -txindex?)")
    assert source.decoder.unresolved_inputs == 3
    store.close()


def test_txmon_replay_bitcoin_blocks_dir_start_height(tmp_path: Path) -> None:
    """The documented command: files from height 50,000 (pre-BIP-34), no node.

    The documented run is a real ``python -m txmon`` process; the two refusals, which
    fail before anything is seeded, run in-process (an interpreter start each saved).
    """
    from click.testing import CliRunner

    from txmon.cli.main import main

    blocks = tmp_path / "blocks"
    blocks.mkdir()
    write_blk(blocks / "blk00000.dat", CHAIN_50000)
    root = Path(__file__).resolve().parents[4]
    args = ["--data-dir", str(tmp_path / "data"), "replay",
            "bitcoin", "--blocks-dir", str(blocks), "--from", "50000", "--to", "50002"]
    without = CliRunner().invoke(main, args)
    assert without.exit_code == 2
    assert "give its height explicitly" in without.stderr
    assert not (tmp_path / "data" / "store.sqlite").exists()  # refused before seeding
    env = {**os.environ, "TXMON_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "txmon", *args, "--start-height", "50000"],
                          cwd=root, env=env, capture_output=True, timeout=300, check=False)
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    assert "3 blocks, 5 transfers, 0 alerts, 2 dead letters" in stderr
    assert "3 inputs unresolved in 2 transactions" in stderr
    misplaced = [*args[:args.index("--blocks-dir")], "--rpc", "http://127.0.0.1:9",
                 "--start-height", "5", "--from", "5", "--to", "5"]  # fmt: skip
    wrong = CliRunner().invoke(main, misplaced)
    assert wrong.exit_code == 2
    assert "--start-height is for bitcoin --blocks-dir" in wrong.stderr
