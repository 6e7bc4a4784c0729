"""Choose the bus and store a process uses, from settings — the one place that decides.

A configured Kafka or Redis that cannot be reached raises BackendUnavailable; there is
deliberately no fallback to the embedded backends, because in compliance software a
silent fallback hides a misconfiguration (an engine screening against an empty store).
"""

from __future__ import annotations

from txmon.bus.base import Bus
from txmon.settings import Settings
from txmon.store.base import Store


def open_store(settings: Settings) -> Store:
    """Redis when ``settings.store`` is set, else SQLite under the data dir."""
    if settings.store:
        from txmon.store.redis import RedisStore

        return RedisStore(settings.store, namespace=settings.namespace or "txmon")
    from txmon.store.sqlite import SqliteStore

    return SqliteStore(settings.data_dir / "store.sqlite")


def open_bus(settings: Settings) -> Bus:
    """Kafka when ``settings.bus`` is set, else the SQLite log under the data dir."""
    if settings.bus:
        from txmon.bus.kafka import KafkaBus

        return KafkaBus(settings.bus)
    from txmon.bus.embedded import EmbeddedBus

    return EmbeddedBus(settings.data_dir / "bus.sqlite")
