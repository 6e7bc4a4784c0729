"""The console's JSON API (in the OpenAPI document): what every console screen reads.

    GET  /v1/console/me                     any role     who am I (name, role, CSRF token)
    GET  /v1/console/alerts                 any role     the queue: filters, paging, counts
    GET  /v1/console/alerts/{id}            any role     the evidence of one alert
    GET  /v1/console/alerts/{id}/flow       any role     its flow graph (nodes, edges)
    POST /v1/console/alerts/assign          analyst+     bulk assign
    GET  /v1/console/cases                  any role     every case
    POST /v1/console/cases                  analyst+     open a case over alerts
    GET  /v1/console/cases/{id}             any role     a case, its trail and verification
    POST /v1/console/cases/{id}/assign      analyst+
    POST /v1/console/cases/{id}/comment     analyst+
    POST /v1/console/cases/{id}/status      analyst+ (decisions: supervisor, admin; four-eyes)
    GET  /v1/console/lists                  any role     loaded editions and freshness

"analyst+" is analyst, supervisor or admin: a regulator reads, never changes (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from alerts.assignment import assign
from alerts.cases import FLOW, Forbidden
from alerts.queue import SEVERITIES, STATUSES, Filters
from screening.console.auth import WORKERS, requirer
from screening.console.context import Console, NotFound
from screening.console.sessions import Session
from txmon.errors import WorkflowError

_ALERT_ID = r"^[0-9a-f]{8,64}$"
_CASE_ID = r"^C-[0-9]{6,12}$"
_NAME = r"^[\w.@ -]{0,64}$"


class Problem(BaseModel):
    detail: str


_ERR: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body cannot be parsed"},
    401: {"model": Problem, "description": "No bearer token or session"},
    413: {"model": Problem, "description": "Body over the API's size limit",
          "content": {"text/plain": {"schema": {"type": "string"}}}},
    403: {"model": Problem, "description": "The role may not do this (or CSRF missing)"},
    404: {"model": Problem, "description": "No such alert or case"},
    409: {"model": Problem, "description": "Refused by the workflow (transition, race, "
          "four-eyes pending)"},
    503: {"model": Problem, "description": "The store is down; retry"}}


class Me(BaseModel):
    name: str
    role: str
    csrf: str


class QueuePage(BaseModel):
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    counts: dict[str, dict[str, int]]
    options: dict[str, list[str]]


class AssignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alerts: list[Annotated[str, Field(pattern=_ALERT_ID)]] = Field(min_length=1, max_length=500)
    assignee: str = Field(pattern=_NAME, max_length=64)


class Assigned(BaseModel):
    assigned: int


class OpenCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alerts: list[Annotated[str, Field(pattern=_ALERT_ID)]] = Field(min_length=1, max_length=100)
    title: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)


class CaseAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(pattern=_NAME, max_length=64)


class CaseComment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)


class CaseStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Literal[tuple(FLOW)]  # type: ignore[valid-type]
    reason: str = Field(min_length=1, max_length=2000)
    evidence: str = Field(default="", max_length=2000)


class CaseView(BaseModel):
    case: dict[str, Any]
    verified: bool
    problem: str | None


def _only(*names: str) -> Any:
    async def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - set(names))
        if unknown:
            raise RequestValidationError([{"type": "extra_forbidden", "loc": ["query", unknown[0]],
                                           "msg": "Extra inputs are not permitted", "input": None}])
    return Depends(check)


def _case_view(console: Console, case_id: str) -> dict[str, Any]:
    try:
        case = console.cases.get(case_id)
    except WorkflowError as exc:
        raise NotFound(str(exc)) from None
    problem = console.cases.verify(case_id)
    return {"case": case.to_wire(), "verified": problem is None, "problem": problem}


def router(console: Console) -> APIRouter:
    """The JSON routes over ``console``."""
    need = requirer(console)
    reader = Depends(need())
    worker = Depends(need(WORKERS))
    api = APIRouter(prefix="/v1/console", tags=["console"], responses=_ERR)

    @api.get("/me", response_model=Me, dependencies=[_only()])
    async def me(session: Session = reader) -> dict[str, str]:
        return {"name": session.user.name, "role": session.user.role, "csrf": session.csrf}

    @api.get("/alerts", response_model=QueuePage, dependencies=[reader, _only(
        "status", "severity", "rule", "chain", "source", "assignee", "since", "until",
        "retroactive", "offset", "limit")])
    async def queue(status: Literal[STATUSES] | None = None,  # type: ignore[valid-type]
                    severity: Literal[SEVERITIES] | None = None,  # type: ignore[valid-type]
                    rule: Annotated[str, Query(max_length=128)] = "",
                    chain: Annotated[str, Query(max_length=64)] = "",
                    source: Annotated[str, Query(max_length=128)] = "",
                    assignee: Annotated[str, Query(max_length=64)] = "",
                    since: dt.date | None = None, until: dt.date | None = None,
                    retroactive: bool | None = None,
                    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
        page = console.queue.page(Filters(status or "", severity or "", rule, chain, source,
                                          assignee, since, until, retroactive), offset, limit)
        return {"rows": [r.to_wire() for r in page.rows], "total": page.total,
                "offset": page.offset, "limit": page.limit, "counts": page.counts,
                "options": page.options}

    @api.get("/alerts/{alert_id}", dependencies=[reader, _only()])
    async def evidence(alert_id: Annotated[str, _path(_ALERT_ID)]) -> dict[str, Any]:
        return console.evidence(alert_id)

    @api.get("/alerts/{alert_id}/flow", dependencies=[reader, _only()])
    async def flow(alert_id: Annotated[str, _path(_ALERT_ID)]) -> dict[str, Any]:
        return console.flow(alert_id).to_wire()

    @api.post("/alerts/assign", response_model=Assigned, dependencies=[_only()])
    async def assign(body: AssignRequest, session: Session = worker) -> dict[str, int]:
        return {"assigned": assign_alerts(console, body.alerts, body.assignee, session)}

    @api.get("/cases", dependencies=[reader, _only()])
    async def cases() -> list[dict[str, Any]]:
        return [{k: v for k, v in c.to_wire().items() if k != "entries"}
                for c in console.cases.all()]

    @api.post("/cases", response_model=CaseView, status_code=201, dependencies=[_only()])
    async def open_case(body: OpenCase, session: Session = worker) -> dict[str, Any]:
        for alert_id in body.alerts:
            console.alert(alert_id)  # 404 before anything is written
        case = console.cases.open(body.alerts, body.title, body.reason, session.user)
        return _case_view(console, case.id)

    @api.get("/cases/{case_id}", response_model=CaseView, dependencies=[reader, _only()])
    async def case(case_id: Annotated[str, _path(_CASE_ID)]) -> dict[str, Any]:
        return _case_view(console, case_id)

    @api.post("/cases/{case_id}/assign", response_model=CaseView, dependencies=[_only()])
    async def case_assign(case_id: Annotated[str, _path(_CASE_ID)], body: CaseAssign,
                          session: Session = worker) -> dict[str, Any]:
        _case_view(console, case_id)
        console.cases.assign(case_id, body.to, session.user)
        return _case_view(console, case_id)

    @api.post("/cases/{case_id}/comment", response_model=CaseView, dependencies=[_only()])
    async def case_comment(case_id: Annotated[str, _path(_CASE_ID)], body: CaseComment,
                           session: Session = worker) -> dict[str, Any]:
        _case_view(console, case_id)
        console.cases.comment(case_id, body.text, session.user)
        return _case_view(console, case_id)

    @api.post("/cases/{case_id}/status", response_model=CaseView, dependencies=[_only()])
    async def case_status(case_id: Annotated[str, _path(_CASE_ID)], body: CaseStatus,
                          session: Session = worker) -> dict[str, Any]:
        _case_view(console, case_id)
        console.cases.move(case_id, body.to, body.reason, session.user, body.evidence)
        return _case_view(console, case_id)

    @api.get("/lists", dependencies=[reader, _only()])
    async def lists() -> list[dict[str, Any]]:
        return console.lists()

    return api


def _path(pattern: str) -> Any:
    return Path(pattern=pattern, max_length=80)


def assign_alerts(console: Console, alert_ids: list[str], assignee: str,
                  session: Session) -> int:
    """Bulk assign through the service layer (404 for an unknown alert, before writing)."""
    for alert_id in alert_ids:
        if console.queue.get(alert_id) is None:
            raise NotFound(f"no stored alert with id {alert_id}")
    if assignee and assignee not in console.people:
        raise WorkflowError(f"{assignee} is not a console user who can take alerts")
    return assign(console.store, console.workflow, alert_ids, assignee, session.user.name)


def error_status(exc: WorkflowError) -> int:
    """403 for a role refusal, 404 for a missing alert or case, else 409."""
    if isinstance(exc, Forbidden):
        return 403
    return 404 if isinstance(exc, NotFound) else 409

