"""BitcoinSource under the shared follower: chain-ordered decoding despite concurrent fetches."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ingest.bitcoin.blocks import BlockDecoder
from ingest.bitcoin.node import connect
from ingest.bitcoin.source import BitcoinSource
from ingest.bitcoin.utxo import Outpoint, SpentOutput, UtxoCache
from ingest.follower import Follower
from ingest.source import Block, BlockRef
from txmon.addresses.networks import MAINNET
from txmon.bus.base import TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

from .conftest import RecordedTransactions, raw_from_verbose, verbose_block

HEIGHTS = (50000, 50001, 50002)


class SlowFirstReader:
    """Raw blocks from memory; the earliest block is slow to arrive (a slow node)."""

    def __init__(self) -> None:
        self.raws = {h: raw_from_verbose(verbose_block(h)) for h in HEIGHTS}

    def head(self) -> int:
        return max(HEIGHTS)

    def block_ref(self, number: int) -> BlockRef:
        raise NotImplementedError  # replay does not ask for refs

    def raw_blocks(self, numbers: Sequence[int]) -> list[bytes]:
        if numbers[0] == min(HEIGHTS):
            time.sleep(0.3)
        return [self.raws[n] for n in numbers]


class RecordingDecoder(BlockDecoder):
    def __init__(self, store: SqliteStore) -> None:
        super().__init__(MAINNET, UtxoCache(store, MAINNET, fetcher=RecordedTransactions()))
        self.order: list[int] = []
        self._lock = threading.Lock()

    def decode(
        self, raw: bytes, height: int, spent: dict[Outpoint, SpentOutput] | None = None
    ) -> Block:
        with self._lock:
            self.order.append(height)
        return super().decode(raw, height, spent)


def test_concurrent_chunks_are_decoded_in_chain_order(tmp_path: Path) -> None:
    decoder = RecordingDecoder(SqliteStore(tmp_path / "s.db"))
    source = BitcoinSource(SlowFirstReader(), decoder)
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(source.fetch_blocks, [h]) for h in HEIGHTS]
        blocks = [f.result()[0] for f in futures]
    assert decoder.order == list(HEIGHTS)  # 50,001 and 50,002 waited for 50,000
    assert [b.ref.number for b in blocks] == list(HEIGHTS)


def test_replay_through_the_shared_follower(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    decoder = RecordingDecoder(store)
    source = BitcoinSource(SlowFirstReader(), decoder)
    bus = EmbeddedBus(tmp_path / "bus")
    follower = Follower(source, store, bus.producer(), name="replay", batch_blocks=1, workers=3)
    follower.replay(50000, 50002)
    follower.close()
    consumer = bus.consumer([TRANSFERS], "test")
    transfers = [decode_transfer(m.value) for m in consumer.poll(timeout=1.0)]
    assert [(t.block_number, t.tx_hash) for t in transfers] == [
        (h, tx["txid"]) for h in HEIGHTS for tx in verbose_block(h)["tx"]
    ]
    assert decoder.order == list(HEIGHTS)
    assert transfers[2].fee == 0
    assert len({t.id for t in transfers}) == 5  # each transaction exactly once
    bus.close()
    store.close()


def test_connect_takes_credentials_out_of_the_url() -> None:
    client = connect("http://us%40er:p%3Ass@127.0.0.1:8332/wallet")
    assert client.url == "http://127.0.0.1:8332/wallet"  # never logged with the password
    client.close()
    assert connect("http://127.0.0.1:18334").url == "http://127.0.0.1:18334"
