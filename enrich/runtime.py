"""Wiring for the engine: a seeded tag store and its hot-path index (called by txmon.app)."""

from __future__ import annotations

from pathlib import Path

from enrich.index import TagIndex
from enrich.seeding import ensure_seeded
from enrich.tagstore import TagStore
from txmon.store.base import Store


def open_tag_index(store: Store, seeds_dir: Path) -> TagIndex:
    """Seed a fresh store from ``seeds_dir`` and build the index over its active versions."""
    tag_store = TagStore(store)
    ensure_seeded(tag_store, seeds_dir)
    return TagIndex(tag_store)
