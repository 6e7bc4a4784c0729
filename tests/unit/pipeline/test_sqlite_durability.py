"""The embedded backends commit durably (synchronous=FULL) in the product.

The suite's fixture (tests/conftest.py) turns the fsync off for speed; these tests undo it
first, so they check what a deployment gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from txmon.bus.embedded import EmbeddedBus
from txmon.store.sqlite import SqliteStore

FULL = 2  # PRAGMA synchronous values: 0 OFF, 1 NORMAL, 2 FULL


def test_store_and_bus_fsync_every_commit_by_default(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.undo()
    store = SqliteStore(tmp_path / "store.sqlite")
    bus = EmbeddedBus(tmp_path / "bus.sqlite")
    assert store._db.execute("PRAGMA synchronous").fetchone() == (FULL,)
    assert bus._log.db.execute("PRAGMA synchronous").fetchone() == (FULL,)
    assert store._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_suite_runs_without_fsync(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    assert store._db.execute("PRAGMA synchronous").fetchone() == (0,)
