"""Shared fixtures: endpoints of the real services and per-test isolation.

Integration tests talk to the real Redis, Kafka, geth and btcd started by
``scripts/services up``; each test gets its own key/topic namespace and cleans up.
An unreachable service fails the test (it is never skipped or faked): run the unit
tier alone with ``pytest -m 'not integration'``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from txmon.app import App
from txmon.bus.base import ALL_TOPICS
from txmon.bus.kafka import KafkaBus
from txmon.settings import load_settings
from txmon.store.base import Store
from txmon.store.redis import RedisStore
from txmon.store.sqlite import SqliteStore

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


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each Store backend in turn: embedded SQLite (unit tier) and the real Redis."""
    if request.param == "sqlite":
        backend: Store = SqliteStore(tmp_path / "store.sqlite")
    else:
        request.getfixturevalue("redis_cleanup")
        backend = RedisStore(request.getfixturevalue("redis_url"),
                             namespace=request.getfixturevalue("namespace"))
    yield backend
    backend.close()


@pytest.fixture
def live_app(kafka_url: str, redis_url: str, namespace: str, tmp_path: Path,
             redis_cleanup: None) -> Iterator[App]:
    """The product's App on the real Kafka and Redis, in the test's own namespace.

    Opening the bus creates the namespaced topics (as in production); they are deleted
    afterwards, and ``redis_cleanup`` removes the namespace's keys.
    """
    settings = load_settings(bus=kafka_url, store=redis_url, namespace=namespace,
                             data_dir=tmp_path)
    application = App(settings)
    assert isinstance(application.bus, KafkaBus)
    yield application
    application.close()
    admin = KafkaAdminClient(bootstrap_servers=kafka_url.removeprefix("kafka://").split(","))
    with contextlib.suppress(Exception):  # cleanup must not hide the test's own result
        admin.delete_topics([application.topic(name) for name in ALL_TOPICS])
    admin.close()


@pytest.fixture(autouse=True, scope="session")
def _private_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Loaders' on-disk parse cache (MOF) in a session folder, never the user's home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TXMON_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True)
def _sqlite_without_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Embedded SQLite (store and bus) without an fsync per commit, in this process only.

    The product keeps synchronous=FULL (txmon/store/sqlite.py: a commit is on disk before
    the bus offset moves). A test loses no power; a killed process loses nothing either way
    (the OS still has the pages), so the crash tests prove the same with it off.
    """
    from txmon.store import sqlite

    monkeypatch.setattr(sqlite, "SYNCHRONOUS", "PRAGMA synchronous=OFF")
