"""One conformance suite for the tag store, on the embedded (SQLite) and Redis backends.

All data is real: the shipped OFAC SDN.CSV copies, SDN_COMMENTS.CSV and the 2024-09-27
per-asset lists, plus the cited designation dates in seeds/designations.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from enrich.index import TagIndex
from enrich.seeding import ensure_seeded
from enrich.sources.base import LoadedList
from enrich.sources.ofac_address_list import OfacAddressListSource, asset_of, entries
from enrich.sources.ofac_csv import OfacCsvSource
from enrich.tagstore import LOCK, TagStore
from tests.unit.enrich.paths import COMMENTS, LISTS, SDN_2022, SDN_2024, SEEDS
from txmon import wire
from txmon.addresses import normalize
from txmon.bus.base import TAG_UPDATES, Producer
from txmon.bus.embedded import EmbeddedBus
from txmon.errors import DeliveryError, TxmonError
from txmon.store.base import Store

HYDRA_BTC = "3K4rjdh8A5yi6LWvft2rbmyZvqEbPSSSX4"
TORNADO = "0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc"
SEMENOV = "0xdcbeffbecce100cce9e4b153c4e15cb885643193"


@pytest.fixture
def seeded(store: Store) -> TagStore:
    tag_store = TagStore(store)
    ensure_seeded(tag_store, SEEDS)
    return tag_store



def _sdn_2022() -> LoadedList:
    """The 2022-03-15 SDN.CSV; no SDN_COMMENTS.CSV of that release exists (PROVENANCE.md)."""
    return OfacCsvSource(allow_truncated_remarks=True).load([SDN_2022])

def test_every_per_asset_list_entry_round_trips_with_entity_and_programs(seeded, list_files):
    named = {t.address: t for t in OfacCsvSource().load([SDN_2024, COMMENTS]).tags}
    checked = attributed = 0
    for path in list_files:
        for _, raw in entries(path):
            normal = normalize(raw)
            tags = [t for t in seeded.history(raw) if t.source == "ofac-sdn"]
            assert tags, raw
            assert all(t.chain == normal.chain_family for t in tags)
            assert any(asset_of(path) in (t.asset or "").split(",") for t in tags)
            if normal.address in named:
                reference = named[normal.address]
                assert reference.entity in {t.entity for t in tags}
                assert reference.programs in {t.programs for t in tags}
                attributed += 1
            checked += 1
    assert checked == 654
    assert attributed == 599  # entries whose address the 2024-05-03 SDN.CSV + comments name
    tron = seeded.lookup("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")
    assert [(t.chain, t.entity, t.asset) for t in tron] == [("tron", "WANG, Mingming", "XBT")]


def test_2022_then_2024_delta_holds_the_tornado_cash_addresses(store):
    tag_store = TagStore(store)
    first = tag_store.load(_sdn_2022(), "ofac-csv", dt.date(2022, 3, 15))
    assert len(first.added) == 123 and first.previous is None
    second = tag_store.load(OfacCsvSource().load([SDN_2024, COMMENTS]), "ofac-csv",
                            dt.date(2024, 5, 3))
    tornado = {t.address for t in OfacCsvSource().load([SDN_2024, COMMENTS]).tags
               if t.list_id == "39796"}
    assert len(tornado) == 90
    assert tornado <= set(second.added)
    assert (len(second.added), len(second.removed)) == (463, 0)
    assert second.previous == first.version
    assert tag_store.diff(first.version, second.version) == second


def test_as_of_lookups_follow_designation_and_delisting_dates(seeded):
    def listed(address: str, day: str) -> bool:
        tags = seeded.lookup(address, dt.date.fromisoformat(day))
        return any(t.source == "ofac-sdn" for t in tags)

    assert not listed(HYDRA_BTC, "2022-04-04") and listed(HYDRA_BTC, "2022-04-05")
    assert not listed(TORNADO, "2022-08-07") and listed(TORNADO, "2022-08-08")
    assert listed(TORNADO, "2025-03-20") and not listed(TORNADO, "2025-03-21")
    assert not listed(SEMENOV, "2023-08-22") and listed(SEMENOV, "2026-01-01")
    [tornado] = seeded.history(TORNADO)
    assert (tornado.listed_at, tornado.delisted_at, tornado.dates_from) == (
        dt.date(2022, 8, 8), dt.date(2025, 3, 21), "override")
    [wang] = seeded.history("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")
    assert (wang.listed_at, wang.dates_from) == (dt.date(2024, 5, 3), "version")


def test_removed_addresses_get_a_version_delisting_date(store):
    tag_store = TagStore(store)
    eth, trx = LISTS / "sanctioned_addresses_ETH.txt", LISTS / "sanctioned_addresses_TRX.txt"
    tag_store.load(OfacAddressListSource().load([eth, trx]), "ofac-address-list",
                   dt.date(2024, 1, 1))
    delta = tag_store.load(OfacAddressListSource().load([eth]), "ofac-address-list",
                           dt.date(2024, 2, 1))
    removed = {normalize(raw).address for _, raw in entries(trx)}
    assert set(delta.removed) == removed and delta.added == ()
    [tag] = tag_store.history("TTUDyVhhpCC1xJoPmWzdjLAzeoPwbSABdr")
    assert (tag.listed_at, tag.delisted_at, tag.dates_from) == (
        dt.date(2024, 1, 1), dt.date(2024, 2, 1), "version")
    assert tag_store.lookup("TTUDyVhhpCC1xJoPmWzdjLAzeoPwbSABdr", dt.date(2024, 1, 15))
    assert not tag_store.lookup("TTUDyVhhpCC1xJoPmWzdjLAzeoPwbSABdr")
    assert tag_store.stats()["sources"]["ofac-sdn"]["history_addresses"] == 6


def test_readers_see_the_old_version_until_the_head_flips(store):
    seen: list[int] = []

    class Watching(TagStore):
        def _write_version(self, meta, records, loaded, names):  # type: ignore[no-untyped-def]
            super()._write_version(meta, records, loaded, names)
            seen.append(len(TagStore(store).lookup(TORNADO)))

    tag_store = Watching(store)
    tag_store.load(_sdn_2022(), "ofac-csv", dt.date(2022, 3, 15))
    tag_store.load(OfacCsvSource().load([SDN_2024, COMMENTS]), "ofac-csv", dt.date(2024, 5, 3))
    assert seen == [0, 0]  # the new version was fully written but not yet visible
    assert len(tag_store.lookup(TORNADO, dt.date(2024, 6, 1))) == 1


def test_a_refused_load_leaves_the_active_version_in_force(store):
    tag_store = TagStore(store)
    tag_store.load(OfacCsvSource().load([SDN_2024, COMMENTS]), "ofac-csv", dt.date(2024, 5, 3))
    head = tag_store.head()
    with pytest.raises(TxmonError, match="older than the active one"):
        tag_store.load(_sdn_2022(), "ofac-csv", dt.date(2022, 3, 15))
    with pytest.raises(TxmonError, match="no publication date"):
        tag_store.load(_sdn_2022(), "ofac-csv")
    store.put(LOCK, str(9e12).encode())  # another loader holds the lock
    with pytest.raises(TxmonError, match="in progress"):
        tag_store.load(OfacAddressListSource().load(sorted(LISTS.glob("*.txt"))),
                       "ofac-address-list", dt.date(2024, 9, 27))
    assert tag_store.head() == head
    again = TagStore(store)
    store.delete(LOCK)
    assert again.load(OfacCsvSource().load([SDN_2024, COMMENTS]), "ofac-csv",
                      dt.date(2024, 5, 3)).empty  # same content and date: a no-op


def test_delta_is_published_on_tags_updates(store, tmp_path):
    bus = EmbeddedBus(tmp_path / "bus.sqlite")
    producer = bus.producer()
    tag_store = TagStore(store, producer=producer, topic=TAG_UPDATES)
    delta = tag_store.load(_sdn_2022(), "ofac-csv", dt.date(2022, 3, 15))
    consumer = bus.consumer([TAG_UPDATES], "test")
    [message] = consumer.poll(timeout=1.0)
    body = wire.loads(message.value)
    assert (message.key, body["version"], body["parts"]) == (b"ofac-sdn", delta.version, 1)
    assert sorted(body["added"]) == list(delta.added) and len(body["added"]) == 123
    consumer.close()
    producer.close()
    bus.close()


class LossyProducer(Producer):
    """Fails the flushes numbered in ``fail``, losing what was queued (a broker outage)."""

    def __init__(self, fail: set[int]) -> None:
        self.fail, self.flushes = fail, 0
        self.queued: list[dict[str, object]] = []
        self.delivered: list[dict[str, object]] = []

    def send(self, topic: str, value: bytes, key: bytes | None = None,
             headers: Sequence[tuple[str, bytes]] = ()) -> None:
        self.queued.append(wire.loads(value))

    def flush(self, timeout: float = 30.0) -> None:
        self.flushes += 1
        queued, self.queued = self.queued, []
        if self.flushes in self.fail:
            raise DeliveryError("simulated broker outage")
        self.delivered += queued

    def close(self) -> None:
        pass


def test_a_delta_whose_publish_failed_is_published_by_the_next_call(store):
    producer = LossyProducer(fail={1, 3})
    tag_store = TagStore(store, producer=producer, topic=TAG_UPDATES)
    sdn_2022 = _sdn_2022()
    with pytest.raises(DeliveryError):
        tag_store.load(sdn_2022, "ofac-csv", dt.date(2022, 3, 15))
    version = tag_store.head().sources["ofac-sdn"]  # the head did switch
    assert [k for k, _ in store.scan("tags:outbox:")] == [f"tags:outbox:{version}"]
    assert producer.delivered == [] and store.get(LOCK) is None
    assert tag_store.load(sdn_2022, "ofac-csv", dt.date(2022, 3, 15)).empty  # same content
    [message] = producer.delivered  # ... but the staged delta went out, once
    assert (message["version"], message["previous"], len(message["added"])) == (version, None, 123)
    assert list(store.scan("tags:outbox:")) == []
    with pytest.raises(DeliveryError):  # flush 3 fails: the engine-start call republishes
        tag_store.load(OfacCsvSource().load([SDN_2024, COMMENTS]), "ofac-csv",
                       dt.date(2024, 5, 3))
    assert TagStore(store, producer=producer).publish_pending_deltas() == 1
    assert [m["previous"] for m in producer.delivered] == [None, version]
    assert producer.delivered[1]["version"] == tag_store.head().sources["ofac-sdn"]
    assert tag_store.publish_pending_deltas() == 0 and list(store.scan("tags:outbox:")) == []
    assert TagStore(store).publish_pending_deltas() == 0  # no producer: nothing to do


def test_index_answers_like_the_store_and_refreshes_on_a_new_version(seeded):
    index = TagIndex(seeded)
    assert len(index) == 650  # 641 OFAC list addresses (MOF's 26 among them) + 9 tokens
    mixed = "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc"
    assert index.tags_for(mixed) == tuple(seeded.history(mixed))
    assert index.lookup(mixed, dt.date(2023, 1, 1))[0].entity == "TORNADO CASH"
    assert index.tags_for("0x" + "00" * 20) == ()
    assert not index.refresh()
    seeded.load(OfacAddressListSource().load([LISTS / "sanctioned_addresses_ETH.txt"]),
                "ofac-address-list", dt.date(2024, 10, 1))
    assert index.refresh()
    assert index.lookup("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq") == []


def test_names_survive_an_address_only_version(seeded):
    parties = seeded.parties()
    assert len([p for p in parties if p.source == "ofac-sdn"]) == 14965
    assert len([p for p in parties if p.source == "jp-mof"]) == 2862
    assert {p.name for p in parties if p.list_id == "44718"} == {"SEMENOV, Roman"}
    assert {t.symbol: t.decimals for t in seeded.tokens()}["USDT"] == 6
