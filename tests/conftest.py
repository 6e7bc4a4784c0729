"""Shared fixtures: endpoints of the real services and per-test isolation.

Integration tests talk to the real Redis, Kafka, geth and btcd started by
``scripts/services up``; each test gets its own key/topic namespace and cleans up.
An unreachable service fails the test (it is never skipped or faked): run the unit
tier alone with ``pytest -m 'not integration'``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def service_url(name: str, default: str) -> str:
    """Endpoint of a real service, overridable as TXMON_TEST_<NAME>."""
    return os.environ.get(f"TXMON_TEST_{name.upper()}", default)


@pytest.fixture
def redis_url() -> str:
    return service_url("redis", "redis://127.0.0.1:6379/0")


@pytest.fixture
def kafka_url() -> str:
    return service_url("kafka", "kafka://127.0.0.1:9092")


@pytest.fixture
def namespace() -> str:
    """A unique prefix so parallel and repeated runs never see each other's data."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def redis_cleanup(redis_url: str, namespace: str) -> Iterator[None]:
    """Delete every key of the test's namespace afterwards."""
    yield
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
