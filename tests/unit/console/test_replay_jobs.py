"""Console replay jobs: lifecycle (running → done / failed, progress), one at a time per
server (409), bounds (422) and roles (a regulator may not start one), over HTTP too.

The runner is a stand-in here (no node); tests/integration/test_console_replay_geth.py runs
the real one against geth and checks the alert it finds."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from screening.api import create_app
from screening.auth import parse_tokens, parse_users
from screening.console.replay import Replayer
from screening.console.replay_jobs import BadJob, Busy, JobRequest, ReplayJobs
from screening.runtime import open_service
from tests.unit.console.conftest import ANALYST, REGULATOR, bearer
from txmon.app import App
from txmon.engine import EngineStats
from txmon.range_replay import RangeResult

URL = "http://127.0.0.1:1"


class Gate:
    """A runner that reports half the range, then waits until released (or fails)."""

    def __init__(self, fail: str = "") -> None:
        self.release = threading.Event()
        self.halfway = threading.Event()
        self.fail = fail
        self.scratch: list[Path] = []

    def __call__(self, req: JobRequest, scratch: Path,
                 progress: Callable[[int, int, Any], None]) -> RangeResult:
        self.scratch.append(scratch)
        middle = (req.start + req.end) // 2
        progress(middle, req.end, SimpleNamespace(stats=EngineStats(transfers=7)))
        self.halfway.set()
        assert self.release.wait(10)
        if self.fail:
            raise ConnectionError(self.fail)
        return RangeResult(transfers=12, dead_letters=1)


def _wait(jobs: ReplayJobs, job_id: str, status: str) -> None:
    for _ in range(200):
        job = jobs.get(job_id)
        if job is not None and job.status == status:
            return
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached {status}")


def test_a_job_reports_progress_then_its_result_and_refuses_a_second(tmp_path: Path) -> None:
    gate = Gate()
    jobs = ReplayJobs(gate, tmp_path)
    job = jobs.start(JobRequest("ethereum", URL, 100, 199), "alice")
    assert gate.halfway.wait(5)
    view = job.view()
    assert (view["status"], view["blocks_done"], view["blocks_total"], view["transfers"]) == (
        "running", 50, 100, 7)
    with pytest.raises(Busy):
        jobs.start(JobRequest("ethereum", URL, 1, 2), "sam")
    gate.release.set()
    _wait(jobs, job.id, "done")
    view = job.view()
    assert (view["blocks_done"], view["transfers"], view["dead_letters"]) == (100, 12, 1)
    assert gate.scratch == [tmp_path / job.id]  # the job's own store, keyed by its id
    second = jobs.start(JobRequest("ethereum", URL, 1, 2), "sam")  # free again
    assert second.id != job.id and [j.id for j in jobs.all()] == [second.id, job.id]
    gate.release.set()


def test_a_failing_node_ends_the_job_with_its_reason(tmp_path: Path) -> None:
    gate = Gate(fail="connection refused")
    gate.release.set()
    jobs = ReplayJobs(gate, tmp_path)
    job = jobs.start(JobRequest("bitcoin", "http://u:secret@127.0.0.1:1", 5, 5,
                                network="regtest"), "alice")
    _wait(jobs, job.id, "failed")
    assert job.error == "ConnectionError: connection refused"
    assert job.view()["node"] == "http://127.0.0.1:1"  # the RPC password is never shown


@pytest.mark.parametrize(("request_", "reason"), [
    (JobRequest("ethereum", URL, 0, 10_000), "at most 10,000 blocks"),
    (JobRequest("ethereum", URL, 9, 8), "0 ≤ from ≤ to"),
    (JobRequest("solana", URL, 1, 2), "chain must be one of"),
    (JobRequest("ethereum", "file:///etc/passwd", 1, 2), "http:// or https://"),
])
def test_requests_no_replay_could_run_are_refused(tmp_path: Path, request_: JobRequest,
                                                  reason: str) -> None:
    gate = Gate()
    with pytest.raises(BadJob, match=reason):
        ReplayJobs(gate, tmp_path).start(request_, "alice")
    assert gate.scratch == []  # no thread started


@pytest.fixture
def gated(demo_app: App, tmp_path: Path) -> Iterator[tuple[TestClient, Gate]]:
    gate = Gate()
    service = open_service(demo_app)
    tokens = demo_app.settings.api_tokens
    replayer = dataclasses.replace(Replayer.from_app(demo_app),
                                   jobs=ReplayJobs(gate, tmp_path / "replays"))
    api = create_app(service, demo_app.alert_store, parse_tokens(tokens), parse_users(tokens),
                     demo_app.feed_signer, replayer)
    with TestClient(api, base_url="http://127.0.0.1") as client:
        yield client, gate
    gate.release.set()


def test_replay_jobs_over_http_roles_bounds_and_one_at_a_time(
        gated: tuple[TestClient, Gate]) -> None:
    client, gate = gated
    body = {"chain": "ethereum", "rpc_url": URL, "from": 10, "to": 19, "as_of": "2026-01-15"}
    assert client.post("/v1/console/replays", json=body,
                       headers=bearer(REGULATOR)).status_code == 403
    long = client.post("/v1/console/replays", json={**body, "to": 10_010},
                       headers=bearer(ANALYST))
    assert long.status_code == 422
    assert "at most 10,000 blocks" in long.json()["detail"][0]["msg"]
    started = client.post("/v1/console/replays", json=body, headers=bearer(ANALYST))
    assert started.status_code == 202
    job = started.json()
    assert (job["by"], job["mode"], job["blocks_total"]) == ("alice", "as-of 2026-01-15", 10)
    assert gate.halfway.wait(5)
    again = client.post("/v1/console/replays", json=body, headers=bearer(ANALYST))
    assert again.status_code == 409 and "already running" in again.json()["detail"]
    running = client.get(f"/v1/console/replays/{job['id']}", headers=bearer(ANALYST)).json()
    assert (running["status"], running["blocks_done"], running["transfers"]) == (
        "running", 5, 7)
    page = client.get(f"/replay/jobs/{job['id']}", headers=bearer(ANALYST))
    assert page.status_code == 200 and 'data-status="running"' in page.text
    gate.release.set()
    for _ in range(200):
        done = client.get(f"/v1/console/replays/{job['id']}", headers=bearer(ANALYST)).json()
        if done["status"] != "running":
            break
        time.sleep(0.02)
    assert (done["status"], done["blocks_done"], done["transfers"]) == ("done", 10, 12)
    assert client.get("/v1/console/replays/R-000000000000",
                      headers=bearer(ANALYST)).status_code == 404
    assert "/v1/console/replays" in client.get("/openapi.json").json()["paths"]


def test_the_replay_form_refuses_a_long_range_with_a_422_page(
        gated: tuple[TestClient, Gate]) -> None:
    client, gate = gated
    client.post("/login", data={"token": ANALYST})
    csrf = client.get("/v1/console/me").json()["csrf"]
    form = {"csrf": csrf, "chain": "ethereum", "rpc_url": URL, "from": "1", "to": "20000"}
    refused = client.post("/replay/jobs", data=form)
    assert refused.status_code == 422 and "at most 10,000 blocks" in refused.text
    assert gate.scratch == []
    words = client.post("/replay/jobs", data={**form, "to": "ten"})
    assert words.status_code == 422 and "must be block numbers" in words.text
    started = client.post("/replay/jobs", data={**form, "to": "4"}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/replay/jobs/R-")
    client.post("/logout", data={"csrf": csrf})
    client.post("/login", data={"token": REGULATOR})
    assert client.get("/replay").status_code == 403
