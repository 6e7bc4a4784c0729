"""Seed a fresh data dir from ``seeds/`` so that lookups work right after install.

``seeds/manifest.yaml`` lists the loads in order (format, publication date, paths).
Seeding runs only when the tag store has no source at all, so an operator's own loads
are never overwritten; the cited override file is (re)stored whenever its content
differs from the stored one, so a txmon upgrade with corrected dates takes effect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from enrich.designations import Designations
from enrich.sources import loader
from enrich.tagstore import TagStore
from enrich.tagversions import Delta
from txmon.errors import ListFormatError

MANIFEST = "manifest.yaml"


def ensure_seeded(tag_store: TagStore, seeds_dir: Path) -> list[Delta]:
    """Load the shipped lists if the store is empty; returns the deltas it produced."""
    manifest_path = Path(seeds_dir) / MANIFEST
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or not isinstance(manifest.get("loads"), list):
        raise ListFormatError(str(manifest_path), "expected a mapping with a 'loads' list")
    _refresh_designations(tag_store, Path(seeds_dir) / manifest.get("designations", ""))
    if tag_store.head().sources:
        return []
    deltas = []
    for item in manifest["loads"]:
        paths = sorted(p for pattern in item["paths"] for p in Path(seeds_dir).glob(pattern))
        if not paths:
            raise ListFormatError(str(manifest_path), f"no file matches {item['paths']}")
        published = item["published"]
        if not isinstance(published, dt.date):
            published = dt.date.fromisoformat(str(published))
        loaded = loader(item["format"]).load(paths)
        deltas.append(tag_store.load(loaded, item["format"], published))
    return deltas


def _refresh_designations(tag_store: TagStore, path: Path) -> None:
    if not path.is_file():
        return
    wanted = Designations.load(path)
    if wanted.to_wire() != tag_store.designations().to_wire():
        tag_store.set_designations(wanted)
