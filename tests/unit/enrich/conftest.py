"""Fixtures for the tag tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.enrich.paths import LISTS


@pytest.fixture
def list_files() -> list[Path]:
    return sorted(LISTS.glob("sanctioned_addresses_*.txt"))
