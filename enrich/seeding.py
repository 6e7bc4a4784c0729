"""Seed a fresh data dir from ``seeds/`` so that lookups work right after install.

``seeds/manifest.yaml`` lists the loads in order (format, publication date, paths).
Seeding runs only when the tag store has no source at all, so an operator's own loads
are never overwritten; the cited override file is (re)stored whenever its content
differs from the stored one, so a txmon upgrade with corrected dates takes effect.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from enrich.designations import Designations
from enrich.sources import loader
from enrich.tagstore import TagStore
from enrich.tagversions import Delta
from txmon.errors import ListFormatError

MANIFEST = "manifest.yaml"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ManifestLoad:
    """One load of the manifest: a list format, its publication date and its files."""

    format: str
    published: dt.date
    paths: tuple[Path, ...]
    options: tuple[tuple[str, object], ...] = ()  # loader options the manifest states


def manifest_loads(seeds_dir: Path) -> list[ManifestLoad]:
    """The loads ``seeds/manifest.yaml`` lists, in order, with their files resolved."""
    manifest_path = Path(seeds_dir) / MANIFEST
    manifest = _manifest(manifest_path)
    out = []
    for item in manifest["loads"]:
        paths = sorted(p for pattern in item["paths"] for p in Path(seeds_dir).glob(pattern))
        if not paths:
            raise ListFormatError(str(manifest_path), f"no file matches {item['paths']}")
        published = item["published"]
        if not isinstance(published, dt.date):
            published = dt.date.fromisoformat(str(published))
        options = tuple(sorted((item.get("options") or {}).items()))
        out.append(ManifestLoad(item["format"], published, tuple(paths), options))
    return out


def apply_load(tag_store: TagStore, item: ManifestLoad) -> Delta:
    """Load one manifest entry as a new version (publishing its delta if the store can)."""
    loaded = loader(item.format, **dict(item.options)).load(list(item.paths))
    for warning in loaded.warnings:
        log.warning("seeding %s %s: %s:%s %r: %s", item.format, item.published, warning.path,
                    warning.line or "", warning.text, warning.reason)
    return tag_store.load(loaded, item.format, item.published)


def refresh_designations(tag_store: TagStore, seeds_dir: Path) -> None:
    """Store the cited override file if it differs from the stored one."""
    manifest = _manifest(Path(seeds_dir) / MANIFEST)
    _refresh_designations(tag_store, Path(seeds_dir) / manifest.get("designations", ""))


def ensure_seeded(tag_store: TagStore, seeds_dir: Path) -> list[Delta]:
    """Load the shipped lists if the store is empty; returns the deltas it produced."""
    refresh_designations(tag_store, seeds_dir)
    if tag_store.head().sources:
        return []
    return [apply_load(tag_store, item) for item in manifest_loads(seeds_dir)]


def _manifest(path: Path) -> dict[str, Any]:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or not isinstance(manifest.get("loads"), list):
        raise ListFormatError(str(path), "expected a mapping with a 'loads' list")
    return manifest


def _refresh_designations(tag_store: TagStore, path: Path) -> None:
    if not path.is_file():
        return
    wanted = Designations.load(path)
    if wanted.to_wire() != tag_store.designations().to_wire():
        tag_store.set_designations(wanted)
