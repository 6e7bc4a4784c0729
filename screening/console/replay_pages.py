"""Replay jobs in the console: start one (form or JSON), follow its progress, read its alerts.

    POST /v1/console/replays          analyst+   start a job (202); 409 while one runs; 422
    GET  /v1/console/replays/{id}     any role   its progress and alert ids (polled by the page)
    POST /replay/jobs                 analyst+   the page's form → 303 to the job's page
    GET  /replay/jobs/{id}            analyst+   progress, then its alerts marked replay
    GET  /replay/jobs/{id}/alerts/{a} analyst+   one of its alerts on the evidence page,
                                                 bannered replay, without workflow actions

A job's alerts are read from the job (replay_jobs.py), never from the live alert store,
so they cannot show up in the live queue or the feed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from alerts.queue import row_of
from screening.console.auth import WORKERS, requirer
from screening.console.context import Console, NotFound
from screening.console.jsonapi import _ERR, Problem
from screening.console.render import page
from screening.console.replay_jobs import (
    CHAINS,
    MAX_BLOCKS,
    NETWORKS,
    BadJob,
    Job,
    JobRequest,
    ReplayJobs,
)
from screening.console.sessions import Session
from screening.console.web import back, form, one, signed_in
from txmon.models import Alert
from txmon.wire import alert_to_wire

_JOB_ID = r"^R-[0-9a-f]{12}$"


class StartReplay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chain: str = Field(pattern="^(" + "|".join(CHAINS) + ")$")
    rpc_url: str = Field("", max_length=300)  # optional with blocks_dir (prevouts)
    start: int = Field(ge=0, le=10**10, alias="from")
    end: int = Field(ge=0, le=10**10, alias="to")
    as_of: dt.date | None = None
    lookback: bool = False
    network: str = Field("mainnet", pattern="^(" + "|".join(NETWORKS) + ")$")
    blocks_dir: str = Field("", max_length=300)  # relative to TXMON_REPLAY_BLOCKS_ROOT
    start_height: int | None = Field(None, ge=0, le=10**10)


class JobView(BaseModel):
    id: str
    status: str
    by: str
    chain: str
    node: str
    blocks_done: int
    blocks_total: int
    transfers: int
    alerts: int
    alert_ids: list[str]
    mode: str
    as_of: str | None
    dead_letters: int
    error: str


def jsonapi_errors() -> dict[int | str, dict[str, Any]]:
    return dict(_ERR)


def _jobs(console: Console) -> ReplayJobs:
    jobs = getattr(console.replayer, "jobs", None)
    if jobs is None:
        raise NotFound("replay jobs are not configured in this server")
    return jobs


def api_router(console: Console) -> APIRouter:
    need = requirer(console)
    reader, worker = Depends(need()), Depends(need(WORKERS))
    api = APIRouter(prefix="/v1/console", tags=["console"])
    errors: dict[int | str, dict[str, Any]] = {  # the console API's, plus these
        **jsonapi_errors(), 409: {"model": Problem, "description": "A replay job is "
                                  "already running on this server"}}

    @api.post("/replays", response_model=JobView, status_code=202, responses=errors)
    async def start(body: StartReplay, session: Session = worker) -> Any:
        request = JobRequest(body.chain, body.rpc_url, body.start, body.end, body.as_of,
                             body.lookback, body.network, body.blocks_dir, body.start_height)
        try:
            job = _jobs(console).start(request, session.user.name)
        except BadJob as exc:  # a semantic 422, shaped like the API's validation errors
            raise HTTPException(422, [{"loc": ["body"], "msg": str(exc),
                                       "type": "invalid"}]) from None
        return JSONResponse(job.view(), status_code=202)

    @api.get("/replays/{job_id}", response_model=JobView, responses=errors)
    async def progress(job_id: Annotated[str, Path(pattern=_JOB_ID)],
                       _session: Session = reader) -> dict[str, Any]:
        job = _jobs(console).get(job_id)
        if job is None:
            raise NotFound(f"no replay job {job_id} on this server")
        return job.view()

    return api


def page_router(console: Console) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.post("/replay/jobs")
    async def start_job(request: Request) -> Response:
        me = signed_in(console, request, WORKERS)
        fields = await form(request, me)
        f = {k: one(fields, k) for k in ("chain", "rpc_url", "from", "to", "as_of",
                                         "network", "source", "blocks_dir", "start_height")}
        files = f["source"] == "blocks"
        try:
            if not (f["from"].isdigit() and f["to"].isdigit()):
                raise BadJob("from and to must be block numbers")
            if f["start_height"] and not f["start_height"].isdigit():
                raise BadJob("the files' first height must be a block number")
            if files and not f["blocks_dir"]:
                raise BadJob("name the block-file directory (relative to the replay root)")
            request_ = JobRequest("bitcoin" if files else f["chain"],
                                  "" if files else f["rpc_url"], int(f["from"]), int(f["to"]),
                                  dt.date.fromisoformat(f["as_of"]) if f["as_of"] else None,
                                  one(fields, "lookback") == "yes", f["network"] or "mainnet",
                                  f["blocks_dir"] if files else "",
                                  int(f["start_height"]) if files and f["start_height"]
                                  else None)
            job = _jobs(console).start(request_, me.user.name)
        except (BadJob, ValueError) as exc:
            return page("replay.html", 422, me=me, result=None, f=f, enabled=True,
                        error=f"Not started: {exc}", jobs=_jobs(console).all(),
                        max_blocks=MAX_BLOCKS,
                        blocks_enabled=_jobs(console).blocks_root is not None)
        return back(f"/replay/jobs/{job.id}")

    @pages.get("/replay/jobs/{job_id}")
    async def job_page(request: Request, job_id: str) -> Response:
        me = signed_in(console, request, WORKERS)
        job = _jobs(console).get(job_id)
        if job is None:
            return page("error.html", 404, me=me, title="No such replay job",
                        message=f"This server has no replay job {job_id}.")
        return page("replay_job.html", me=me, job=job, v=job.view(), rows=_rows(console, job))

    @pages.get("/replay/jobs/{job_id}/alerts/{alert_id}")
    async def job_alert(request: Request, job_id: str, alert_id: str) -> Response:
        me = signed_in(console, request, WORKERS)
        job = _jobs(console).get(job_id)
        found = [a for a in job.alerts if a.id == alert_id] if job else []
        if job is None or not found:
            return page("error.html", 404, me=me, title="No such replay alert",
                        message=f"Replay job {job_id} on this server raised no alert "
                                f"{alert_id}.")
        ev = _evidence(console, found[0], job)
        return page("alert.html", me=me, ev=ev, a=ev["alert"], flow=None, svg="",
                    can_work=False, msg="", people=[], replay=job)

    return pages


def _evidence(console: Console, alert: Alert, job: Job) -> dict[str, Any]:
    """The evidence page's data for an alert read from a job, not the live store: its
    lists and editions as for a live alert; no trail, no status, no stored event (a
    replay alert is never worked, so the workflow parts are empty, not faked)."""
    row = _rows(console, job)[job.alerts.index(alert)]
    trace: Any = alert.evidence.get("trace") or {}
    facts = trace.get("inputs", {}).get("transfer", {})  # the values the rule saw
    return {"alert": alert_to_wire(alert), "stored": None, "sequence": None, "hash": None,
            "row": row.to_wire(), "transfer": None,
            "usd_cents": facts.get("usd_cents") if facts.get("usd_known") else None,
            "jpy": facts.get("jpy_value") if facts.get("jpy_known") else None,
            "editions": console.editions(alert), "lifecycle": [], "trail": [],
            "trail_problem": None, "status": "replay"}


def _rows(console: Console, job: Job) -> list[Any]:
    """The job's alerts as queue rows (the queue's own row format, from the job)."""
    return [row_of(n, {"data": alert_to_wire(a)}, console.tags.history)
            for n, a in enumerate(job.alerts, 1)]
