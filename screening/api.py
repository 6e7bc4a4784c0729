"""The screening HTTP API (FastAPI; OpenAPI at /openapi.json, docs at /docs).

    POST /v1/screen/address   analyst, admin     pre-withdrawal decision
    POST /v1/screen/name      analyst, admin     name screening
    GET  /v1/alerts           regulator, analyst, admin   the alert feed (read-only)
    GET  /healthz             anyone             store reachable, lists loaded
    GET  /metrics             anyone             Prometheus (requests and decisions)

Input is validated at the edge by the request models (422 with the field named); an
address that fails its checksum is a 422 as well. Endpoints are ``async`` on purpose:
a decision costs well under a millisecond of CPU, less than a thread-pool hand-off.
"""

from __future__ import annotations

import datetime as dt
from itertools import islice
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import make_asgi_app
from pydantic import BaseModel, Field

from alerts.store import AlertStore
from screening.auth import role_of
from screening.matcher import NameQuery
from screening.service import ScreeningService
from txmon.errors import BadRecord
from txmon.metrics import RECORDS
from txmon.wire import dumps

_bearer = HTTPBearer(auto_error=False)
_ID = r"^[A-Za-z0-9._:@/-]{1,128}$"


class AddressRequest(BaseModel):
    address: str = Field(min_length=1, max_length=128, examples=["0xdcbEfF…3193"])
    chain: Literal["ethereum", "bitcoin"] | None = None
    customer: str | None = Field(default=None, pattern=_ID)
    value_jpy: int | None = Field(default=None, ge=0, description="Value in whole yen; above "
                                  "¥30,000,000 the answer carries a mof-report reason.")


class NameRequest(BaseModel):
    name: str = Field(min_length=1, max_length=300, examples=["Роман Семенов"])
    dob: dt.date | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")


class Reason(BaseModel):
    code: str
    outcome: Literal["allow", "review", "block"]
    detail: str
    evidence: dict[str, Any]


class Confirmation(BaseModel):
    id: str
    seq: int


class Answer(BaseModel):
    decision: Literal["allow", "review", "block"]
    kind: str
    checked: dict[str, Any]
    reasons: list[Reason]
    list_versions: dict[str, str]
    at: str
    confirmation: Confirmation


class AlertPage(BaseModel):
    events: list[dict[str, Any]]
    next_seq: int


def create_app(service: ScreeningService, alerts: AlertStore, tokens: dict[str, str]) -> FastAPI:
    """The API over one screening service; ``tokens`` maps token → role."""
    app = FastAPI(title="txmon screening API", version="1")

    def require(*roles: str) -> Any:
        async def check(cred: Annotated[HTTPAuthorizationCredentials | None,
                                        Depends(_bearer)]) -> str:
            if cred is None:
                raise HTTPException(401, "missing bearer token",
                                    headers={"WWW-Authenticate": "Bearer"})
            role = role_of(tokens, cred.credentials)
            if role is None:
                raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
            if role not in roles:
                raise HTTPException(403, f"role {role} may not do this")
            return role
        return Depends(check)

    screener = require("analyst", "admin")
    reader = require("regulator", "analyst", "admin")

    @app.exception_handler(BadRecord)
    async def bad_input(_request: Request, exc: BadRecord) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.post("/v1/screen/address", response_model=Answer, dependencies=[screener])
    async def screen_address(body: AddressRequest) -> Response:
        return _counted("address", service.screen_address(
            body.address, body.chain, body.customer, value_jpy=body.value_jpy))

    @app.post("/v1/screen/name", response_model=Answer, dependencies=[screener])
    async def screen_name(body: NameRequest) -> Response:
        country = body.country.upper() if body.country else None
        return _counted("name", service.screen_name(NameQuery(body.name, body.dob, country)))

    @app.get("/v1/alerts", response_model=AlertPage, dependencies=[reader])
    async def alert_feed(from_seq: Annotated[int, Query(ge=1)] = 1,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        events = [event for _, event in islice(alerts.events(from_seq), limit)]
        last = events[-1]["sequence"] if events else from_seq - 1
        return {"events": events, "next_seq": int(last) + 1}

    app.mount("/metrics", make_asgi_app())

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        service.store.ping()
        _, versions = service.matcher()
        return {"status": "ok", "lists": versions}

    return app


def _counted(kind: str, answer: dict[str, Any]) -> Response:
    """Count the decision (``txmon_records_total{stage="screen-…"}``), then answer."""
    RECORDS.labels(f"screen-{kind}-{answer.get('decision', 'unknown')}").inc()
    return _json(answer)


def _json(answer: dict[str, Any]) -> Response:
    """orjson bytes as they are: the answer is built by our code, so FastAPI's response
    re-validation (``response_model`` stays for the OpenAPI schema) would only add cost."""
    return Response(dumps(answer), media_type="application/json")


def app_from_env() -> FastAPI:
    """uvicorn factory for ``txmon api --workers N``: each worker process builds its own
    app from the ``TXMON_*`` environment (the parent exported its settings there)."""
    from screening.auth import parse_tokens
    from screening.runtime import open_service
    from txmon.app import App
    from txmon.settings import load_settings

    application = App(load_settings())
    service = open_service(application)
    service.matcher()
    return create_app(service, AlertStore(application.store),
                      parse_tokens(application.settings.api_tokens))
