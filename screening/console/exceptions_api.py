"""False-positive exceptions in the console's JSON API (in the OpenAPI document).

    GET  /v1/console/exceptions               any role           every exception, its state
    POST /v1/console/exceptions               supervisor, admin  record one
    POST /v1/console/exceptions/{id}/revoke   supervisor, admin  revoke one, with a reason

The pages (exception_pages) and these routes share :func:`record`, which checks that an
exception recorded from an alert names that alert's customer and one of its parties, so
a ruling is always tied to the list record it was made on.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from alerts.cases import DECIDERS
from screening.alerting import CUSTOMER_RULE
from screening.console.auth import requirer
from screening.console.context import Console, NotFound
from screening.console.jsonapi import _ERR, _only
from screening.console.sessions import Session
from screening.exceptions import FalsePositive
from txmon.errors import WorkflowError

_FP_ID = r"^FP-[0-9]{6,12}$"


class NewException(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # "address" is accepted here so that the refusal is the book's clear 409, not a 422
    subject_kind: Literal["customer", "name", "address"]
    subject: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=64)
    list_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    expires: dt.date
    review_by: dt.date
    alert: str = Field(default="", pattern=r"^([0-9a-f]{8,64})?$")


class Revoke(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ExceptionView(BaseModel):
    exception: dict[str, Any]


class ExceptionList(BaseModel):
    exceptions: list[dict[str, Any]]
    verified: bool
    problem: str | None


def record(console: Console, body: NewException, session: Session) -> FalsePositive:
    """Create through the book; from an alert, only for its customer and its parties."""
    if body.alert:
        alert, _ = console.alert(body.alert)  # 404 before anything is written
        listed: Any = alert.evidence.get("parties") or []
        parties = {(p.get("source"), p.get("list_id")) for p in listed}
        if alert.rule != CUSTOMER_RULE:
            raise WorkflowError(f"alert {body.alert} is a {alert.rule} alert: only a "
                                "customer name match can be excepted")
        if (body.subject_kind, body.subject) != ("customer", alert.evidence.get("customer")) \
                or (body.source, body.list_id) not in parties:
            raise WorkflowError(f"alert {body.alert} is not about customer {body.subject} "
                                f"and {body.source} {body.list_id}")
    return console.service.exceptions.create(
        body.subject_kind, body.subject, body.source, body.list_id, body.reason, body.expires,
        body.review_by, session.user, body.alert)


def listing(console: Console) -> dict[str, Any]:
    book = console.service.exceptions
    today = book.today()
    problem = book.verify()
    return {"exceptions": [e.to_wire(today) for e in reversed(book.all())],
            "verified": problem is None, "problem": problem}


def router(console: Console) -> APIRouter:
    need = requirer(console)
    reader = Depends(need())
    decider = Depends(need(DECIDERS))
    api = APIRouter(prefix="/v1/console", tags=["console"], responses=_ERR)

    @api.get("/exceptions", response_model=ExceptionList, dependencies=[reader, _only()])
    async def exceptions() -> dict[str, Any]:
        return listing(console)

    @api.post("/exceptions", response_model=ExceptionView, status_code=201,
              dependencies=[_only()])
    async def create(body: NewException, session: Session = decider) -> dict[str, Any]:
        exc = record(console, body, session)
        return {"exception": exc.to_wire(console.service.exceptions.today())}

    @api.post("/exceptions/{exception_id}/revoke", response_model=ExceptionView,
              dependencies=[_only()])
    async def revoke(exception_id: Annotated[str, Path(pattern=_FP_ID, max_length=20)],
                     body: Revoke, session: Session = decider) -> dict[str, Any]:
        book = console.service.exceptions
        if exception_id not in {e.id for e in book.all()}:
            raise NotFound(f"no exception {exception_id}")
        exc = book.revoke(exception_id, body.reason, session.user)
        return {"exception": exc.to_wire(book.today())}

    return api
