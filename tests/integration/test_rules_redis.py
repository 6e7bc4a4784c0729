"""Exposure state, alerts, workflow and history on the real Redis: same answers as SQLite.

The determinism promise — same transfers, rulebook and as-of date give byte-identical
alerts whichever backend holds the state — checked on a multi-hop chain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.store import AlertStore
from alerts.workflow import AlertWorkflow, verify_trail
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.history import TransferHistory
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    CAROL,
    TORNADO,
    WEI,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.store.base import Store
from txmon.store.redis import RedisStore
from txmon.store.sqlite import SqliteStore
from txmon.wire import alert_to_wire, dumps

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CHAIN = [
    transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 7 * WEI), (CAROL, 3 * WEI)]),
    transfer(2, [(ALICE, 4 * WEI), (CAROL, 3 * WEI)], [(BOB, 7 * WEI)]),
    transfer(3, [(BOB, 7 * WEI)], [(CAROL, 7 * WEI)]),
]


def _run(store: Store) -> list[bytes]:
    engine = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store)
    enricher = Enricher(DictLookup([tornado_tag(TORNADO)]))
    alerts = AlertStore(store)
    out = []
    for t in CHAIN:
        for alert in engine.evaluate(enricher.enrich(t)):
            alerts.raise_alert(alert)
            out.append(dumps(alert_to_wire(alert)))
    TransferHistory(store).record_many(CHAIN)
    return out


@pytest.mark.integration
def test_redis_and_sqlite_give_identical_alerts(redis_url: str, namespace: str,
                                                redis_cleanup: None, tmp_path: Path) -> None:
    redis_store = RedisStore(redis_url, namespace=namespace)
    sqlite_store = SqliteStore(tmp_path / "s.db")
    on_redis, on_sqlite = _run(redis_store), _run(sqlite_store)
    assert len(on_redis) == 3
    assert on_redis == on_sqlite
    assert [t.id for t in TransferHistory(redis_store).touching([BOB])] == [
        CHAIN[1].id, CHAIN[2].id]
    first = AlertStore(redis_store).alerts().__next__()
    flow = AlertWorkflow(redis_store, AlertStore(redis_store))
    flow.change(first.id, "investigating", "ana", "on redis")
    assert verify_trail(flow.history(first.id))
    redis_store.close()
    sqlite_store.close()
