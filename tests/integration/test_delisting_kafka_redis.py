"""A release that delists Tornado Cash reaches an open alert, on the real Kafka and Redis.

The deployment runs the product's App seeded from a copy of seeds/ whose designations file
is the one from before OFAC's removal of Tornado Cash (the real file without the entry's
``delisted: 2025-03-21``). It raises the direct alert on the real 10 ETH Tornado Cash
deposit of the demo. Then the release's real seeds/designations.yaml replaces the file
and the engine restarts: the refreshed file stages the delisting, the engine start publishes
it on ``txmon.tags.updates``, the engine consumes it and appends a ``delisted`` event to
the alert on the feed — on the alerts topic after the alert itself, chain intact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alerts.feed import DELISTED_TYPE, EVENT_TYPE, verify_events
from tests.integration.test_pipeline_kafka_redis import alert_events, publish_scenario
from tests.pipeline_scenario import TORNADO_PROXY
from txmon.app import App
from txmon.settings import SEEDS_DIR, load_settings

pytestmark = pytest.mark.integration
DELISTED_LINE = "    delisted: 2025-03-21\n"


def test_designations_release_delists_tornado_cash_on_an_open_alert(
        live_app: App, kafka_url: str, redis_url: str, namespace: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    real = (SEEDS_DIR / "designations.yaml").read_text(encoding="utf-8")
    assert real.count(DELISTED_LINE) == 1  # the Tornado Cash entry (list id 39796)
    (seeds / "designations.yaml").write_text(real.replace(DELISTED_LINE, ""), encoding="utf-8")
    settings = load_settings(bus=kafka_url, store=redis_url, namespace=namespace,
                             data_dir=tmp_path, seeds_dir=seeds)
    before = App(settings)
    try:
        publish_scenario(before)
        [alert] = before.engine("engine").run(idle_exit=3.0).new_alerts
        assert alert.addresses == (TORNADO_PROXY,)
    finally:
        before.close()

    shutil.copy(SEEDS_DIR / "designations.yaml", seeds / "designations.yaml")  # the release
    after = App(settings)
    try:
        stats = after.engine("engine").run(idle_exit=3.0)
        assert stats.alerts_delisted == 1 and stats.new_alerts == []
        events = alert_events(after)
    finally:
        after.close()
    assert verify_events(events) == 2
    assert [(e["type"], e["subject"]) for e in events] == [
        (EVENT_TYPE, alert.transfer_id), (DELISTED_TYPE, alert.id)]
    assert events[1]["data"] == {
        "alert_id": alert.id, "address": TORNADO_PROXY, "party": "TORNADO CASH",
        "source": "ofac-sdn", "delisted_on": "2025-03-21",
        "edition": "ofac-sdn@2025-03-21#designations"}
