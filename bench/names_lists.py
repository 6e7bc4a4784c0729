"""The lists the name benchmark screens against, loaded as txmon loads them.

OFAC SDN (2024-05-03 ``SDN.CSV`` with ``ALT.CSV`` and ``SDN_COMMENTS.CSV``, as seeded),
Japan MOF (edition 2026-03-05, as seeded) and the full UN Security Council consolidated
list of 2026-02-27 (bench/data/un, see its PROVENANCE.md), into a throw-away SQLite tag
store, so the parties are exactly what ``TagStore.parties()`` gives the service.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from enrich.sources import loader
from enrich.tagstore import TagStore
from screening.index import NameIndex
from screening.links import PartyLinks
from screening.matcher import NameMatcher
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore

UN_XML = Path(__file__).resolve().parent / "data" / "un" / "UN_consolidated.xml"
LOADS = (
    ("ofac-csv", [SEEDS_DIR / "ofac/sdn-csv-2024-05-03/sdn.csv",
                  SEEDS_DIR / "ofac/legacy-csv-2025-01/sdn_comments.csv",
                  SEEDS_DIR / "ofac/legacy-csv-2025-01/alt.csv"], dt.date(2024, 5, 3)),
    ("un-xml", [UN_XML], dt.date(2026, 2, 27)),
    ("mof", [SEEDS_DIR / "mof/shisantouketsu20260305.xlsx"], dt.date(2026, 3, 5)),
)


def load() -> tuple[NameMatcher, PartyLinks]:
    """A matcher over OFAC + UN + MOF and the cross-list links of their parties."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        tag_store = TagStore(store)
        for fmt, paths, published in LOADS:
            tag_store.load(loader(fmt).load(paths), fmt, published)
        parties = tag_store.parties()
        links = PartyLinks(parties, tag_store.all_tags())
        store.close()
    return NameMatcher(NameIndex(parties)), links
