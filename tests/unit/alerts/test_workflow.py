"""Alert status workflow: allowed transitions, refusals, and the chained audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.store import AlertStore
from alerts.workflow import AlertWorkflow, Status, verify_trail
from tests.unit.alerts.sample import sample_alerts
from txmon.errors import WorkflowError
from txmon.store.sqlite import SqliteStore

NOON = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[AlertWorkflow, str, SqliteStore]]:
    store = SqliteStore(tmp_path / "s.db")
    alerts = AlertStore(store)
    alert = sample_alerts(1)[0]
    alerts.raise_alert(alert)
    yield AlertWorkflow(store, alerts, clock=lambda: NOON), alert.id, store
    store.close()


def test_open_investigating_escalated(setup: tuple[AlertWorkflow, str, SqliteStore]) -> None:
    flow, alert_id, _ = setup
    assert flow.status(alert_id) is Status.OPEN
    flow.change(alert_id, "investigating", "ana", "counterparty looks like a mixer")
    last = flow.change(alert_id, "escalated", "ana", "SAR filed")
    assert flow.status(alert_id) is Status.ESCALATED
    trail = flow.history(alert_id)
    assert [(c.seq, c.previous, c.status, c.by, c.at, c.reason) for c in trail] == [
        (1, "open", "investigating", "ana", "2026-11-29T12:00:00Z",
         "counterparty looks like a mixer"),
        (2, "investigating", "escalated", "ana", "2026-11-29T12:00:00Z", "SAR filed")]
    assert last.prevhash == trail[0].hash
    assert verify_trail(trail)


@pytest.mark.parametrize(("steps", "bad"), [
    ([], "escalated"),  # open cannot jump to escalated
    ([], "dismissed"),
    (["investigating", "dismissed"], "investigating"),  # final
    (["investigating"], "open"),
    ([], "closed"),  # unknown status
])
def test_invalid_transitions_are_refused(setup: tuple[AlertWorkflow, str, SqliteStore],
                                         steps: list[str], bad: str) -> None:
    flow, alert_id, _ = setup
    for step in steps:
        flow.change(alert_id, step, "bo", "checked")
    with pytest.raises(WorkflowError):
        flow.change(alert_id, bad, "bo", "checked")
    assert len(flow.history(alert_id)) == len(steps)


def test_unknown_alert_and_missing_reason(setup: tuple[AlertWorkflow, str, SqliteStore]) -> None:
    flow, alert_id, _ = setup
    with pytest.raises(WorkflowError, match="no stored alert"):
        flow.change("f" * 32, "investigating", "bo", "x")
    with pytest.raises(WorkflowError, match="needs who"):
        flow.change(alert_id, "investigating", "bo", "  ")


def test_edited_trail_is_detected(setup: tuple[AlertWorkflow, str, SqliteStore]) -> None:
    flow, alert_id, _ = setup
    flow.change(alert_id, "investigating", "ana", "looking")
    flow.change(alert_id, "dismissed", "ana", "false positive: exchange hot wallet")
    trail = flow.history(alert_id)
    from dataclasses import replace

    assert not verify_trail([trail[0], replace(trail[1], reason="nothing to see")])
    assert not verify_trail(trail[1:])
