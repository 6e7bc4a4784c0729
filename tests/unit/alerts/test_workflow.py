"""Alert status workflow: allowed transitions, refusals, and the chained audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.feed import build_checkpoint
from alerts.signing import Keyring, Signer, generate
from alerts.store import AlertStore
from alerts.workflow import AlertWorkflow, Status, check_trail, verify_trail
from tests.unit.alerts.sample import sample_alerts
from txmon.errors import WorkflowError
from txmon.store.base import LogHead
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



def keypair(tmp_path: Path, name: str) -> tuple[Signer, Keyring]:
    generate(tmp_path / f"{name}.pem", tmp_path / f"{name}.pub.pem")
    signer = Signer.from_pem((tmp_path / f"{name}.pem").read_bytes())
    return signer, Keyring([signer.public_key()])


def test_signed_trail_catches_deleted_last_entries(tmp_path: Path) -> None:
    signer, keyring = keypair(tmp_path, "feed")
    store = SqliteStore(tmp_path / "signed.db")
    alerts = AlertStore(store)
    alert_id = sample_alerts(1)[0].id
    alerts.raise_alert(sample_alerts(1)[0])
    flow = AlertWorkflow(store, alerts, clock=lambda: NOON, signer=signer)
    flow.change(alert_id, "investigating", "ana", "looking")
    flow.change(alert_id, "escalated", "ana", "SAR filed")
    trail, head = flow.history(alert_id), flow.log_head(alert_id)
    signed = flow.signed_head(alert_id)
    assert signed is not None and signed["data"]["seq"] == 2
    assert check_trail(trail, head, signed, keyring) is None
    # The last entry deleted where the store's head moves with it (SQLite) …
    shorter = LogHead(1, trail[0].hash)
    assert "before its signed head 2" in str(check_trail(trail[:1], shorter, signed, keyring))
    # … and where the head stays (Redis keeps it apart from the entries).
    assert "entries deleted" in str(check_trail(trail[:1], head, signed, keyring))
    # A head moved back to entry 1 no longer verifies: the signature covers seq and hash.
    moved = {**signed, "data": {**signed["data"], "seq": 1, "hash": trail[0].hash}}
    assert "does not verify" in str(check_trail(trail, head, moved, keyring))
    # An entry appended by someone without the key comes after the (valid) signed head.
    older = build_checkpoint(signer, f"alert-status:{alert_id}", 1, trail[0].hash)
    assert "unsigned" in str(check_trail(trail, head, older, keyring))
    # With a keyring, a head by a key outside it, or no head at all, fails.
    _, other = keypair(tmp_path, "other")
    assert "unknown key" in str(check_trail(trail, head, signed, other))
    assert "no signed head" in str(check_trail(trail, head, None, keyring))
    assert check_trail(trail, head, None, None) is None  # unsigned deployment: chain only
    store.close()
