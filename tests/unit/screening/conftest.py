"""A store holding the real list excerpts of tests/data/screening (OFAC SDN, UN, UK)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrich.index import TagIndex
from enrich.sources import loader
from enrich.tagstore import TagStore
from screening.index import NameIndex
from screening.matcher import NameMatcher
from screening.service import ScreeningService
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore

DATA = Path(__file__).resolve().parents[2] / "data" / "screening"
# the remarks overflow of the cut SDN.CSV rows in the excerpt (seeds/PROVENANCE.md)
COMMENTS = SEEDS_DIR / "ofac" / "legacy-csv-2025-01" / "sdn_comments.csv"
TODAY = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def load_lists(tag_store: TagStore) -> None:
    sdn = [DATA / "ofac/sdn.csv", DATA / "ofac/alt.csv", COMMENTS]
    loads = [("ofac-csv", sdn, dt.date(2024, 5, 3)),
             ("un-xml", [DATA / "un/UN_consolidated_excerpt.xml"], None),
             ("uk-csv", [DATA / "uk/sanctionsconlist_excerpt.csv"], None)]
    for fmt, paths, published in loads:
        tag_store.load(loader(fmt).load(paths), fmt, published)


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path_factory.mktemp("screening") / "s.db")
    load_lists(TagStore(store))
    yield store
    store.close()


@pytest.fixture(scope="module")
def matcher(loaded_store: SqliteStore) -> NameMatcher:
    return NameMatcher(NameIndex(TagStore(loaded_store).parties()))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ScreeningService]:
    """A fresh store per test (confirmation logs must start empty)."""
    store = SqliteStore(tmp_path / "s.db")
    tag_store = TagStore(store)
    load_lists(tag_store)
    yield ScreeningService(store, TagIndex(tag_store), clock=lambda: TODAY)
    store.close()
