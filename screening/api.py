"""The screening HTTP API (FastAPI; OpenAPI at /openapi.json, docs at /docs).

    POST /v1/screen/address   analyst, admin     pre-withdrawal decision
    POST /v1/screen/name      analyst, admin     name screening
    GET  /v1/alerts           regulator, analyst, admin   the alert feed (read-only)
    GET  /v1/confirmations    regulator, analyst, admin   confirmation records (read-only)
    GET  /healthz             anyone             store reachable, lists loaded
    GET  /metrics             anyone             Prometheus (requests and decisions)

Input is validated at the edge by the request models, every field bounded and unknown
fields refused (422 with the field named), before anything is decided or recorded; an
address that fails its checksum or is not an address of ``chain`` is a 422 of that shape
(``detail[0].loc`` names the field). A request body over ``MAX_BODY_BYTES`` is a 413.
Every status an operation can answer is declared in the OpenAPI document (schemathesis
checks it). Swagger UI (/docs) and ReDoc (/redoc) are served from assets shipped in the
``fastapi-offline`` package: nothing is loaded from a CDN, so they work offline.
Endpoints are ``async`` on purpose: a decision costs well under a millisecond of CPU,
less than a thread-pool hand-off.
"""

from __future__ import annotations

import datetime as dt
from itertools import islice
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from prometheus_client import make_asgi_app
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from alerts.signing import Signer
from alerts.store import AlertStore
from screening.auth import User, role_of, user_of
from screening.matcher import NameQuery
from screening.service import MAX_VALUE_JPY, InvalidQuery, ScreeningService
from txmon.chains import ChainName
from txmon.errors import BackendError, BadRecord, InvalidAddress
from txmon.metrics import RECORDS
from txmon.wire import dumps

_bearer = HTTPBearer(auto_error=False)
_ID = r"^[A-Za-z0-9._:@/-]{1,128}$"
MAX_BODY_BYTES = 16 * 1024  # the largest valid request is under 2 kB
MAX_SEQ = 2**53 - 1  # sequence numbers stay exact in every JSON reader
_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _json_integer(value: Any) -> Any:
    """A JSON number, not ``"1_000"``, ``"１０００"`` or ``true`` (which pydantic's lax
    mode would read as 1000 and 1); ``1000.0`` stays valid, as JSON Schema says."""
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number, not a string or boolean")
    return value


# The bounds come before the validator, or pydantic cannot put them in the JSON schema.
Yen = Annotated[int, Field(ge=0, le=MAX_VALUE_JPY), BeforeValidator(_json_integer)]


class AddressRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transfer: str | None = Field(default=None, pattern=_ID, description="The withdrawal or "
                                 "transfer this check is for (kept in the confirmation record).")

    address: str = Field(min_length=1, max_length=128, examples=["0xdcbEfF…3193"])
    chain: ChainName | None = Field(
        default=None, description="When given, the address must be an address of this chain.")
    customer: str | None = Field(default=None, pattern=_ID)
    value_jpy: Yen | None = Field(default=None, description="Value in whole yen; above "
                                  "¥30,000,000 the answer carries a mof-report reason.")


class NameRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, examples=["Роман Семенов"])
    dob: dt.date | None = Field(default=None, description="A date of birth before 1900 or "
                                "in the future is not used and makes the answer a review.")
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")


class Problem(BaseModel):
    """The body of a 400, 401, 403 or (JSON) 413."""

    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class Invalid(BaseModel):
    """The body of every 422: FastAPI's validation error shape, also for semantic errors."""

    detail: list[FieldError]


_Responses = dict[int | str, dict[str, Any]]  # what FastAPI's ``responses=`` takes
_DOWN: _Responses = {503: {"model": Problem, "description": "The store is down: nothing was "
               "decided or recorded; retry (a decision is never made without its "
               "confirmation record)"}}
_AUTH: _Responses = {401: {"model": Problem, "description": "Missing or unknown bearer token"},
         403: {"model": Problem, "description": "The token's role may not do this"},
         422: {"model": Invalid, "description": "Invalid input; detail[0].loc names the field"},
         **_DOWN}
_BODY: _Responses = {**_AUTH, 400: {"model": Problem, "description": "The body cannot be parsed"},
         413: {"model": Problem, "description": f"Body over {MAX_BODY_BYTES} bytes (plain text "
               "when Content-Length says so, JSON when counted while reading)",
               "content": {"text/plain": {"schema": {"type": "string"}}}}}


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
    requested_by: str


Decision = Literal["allow", "review", "block"]


class ConfirmationPage(BaseModel):
    """Confirmation records as stored (``hash``/``prev_hash`` verify), oldest first."""

    records: list[dict[str, Any]]
    next_seq: int


class AlertPage(BaseModel):
    events: list[dict[str, Any]]
    next_seq: int


class Health(BaseModel):
    status: Literal["ok"]
    lists: dict[str, str]


def create_app(service: ScreeningService, alerts: AlertStore, tokens: dict[str, str],
               users: dict[str, User] | None = None, signer: Signer | None = None,
               replayer: Any = None) -> FastAPI:
    """The API over one screening service; ``tokens`` maps token → role, ``users`` token →
    named user (default: each token's user is named after its role). The console
    (screening/console) is mounted at ``/`` when its extra (Jinja2) is installed."""
    # validatorUrl None: Swagger UI would otherwise fetch a badge from its online validator.
    app = FastAPIOffline(title="txmon screening API", version="1", max_body_size=MAX_BODY_BYTES,
                         swagger_ui_parameters={"validatorUrl": None})

    def require(*roles: str) -> Any:
        async def check(request: Request, cred: Annotated[HTTPAuthorizationCredentials | None,
                                                          Depends(_bearer)]) -> str:
            if cred is None:
                raise HTTPException(401, "missing bearer token",
                                    headers={"WWW-Authenticate": "Bearer"})
            role = role_of(tokens, cred.credentials)
            if role is None:
                raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
            if role not in roles:
                raise HTTPException(403, f"role {role} may not do this")
            user = user_of(users, cred.credentials) if users else None
            request.state.caller = user.name if user is not None else role
            return role
        return Depends(check)

    def only_query(*names: str) -> Any:
        """Refuse query parameters the operation does not declare (a typo is not ignored)."""
        async def check(request: Request) -> None:
            unknown = sorted(set(request.query_params) - set(names))
            if unknown:
                raise RequestValidationError([{
                    "type": "extra_forbidden", "loc": ["query", unknown[0]],
                    "msg": "Extra inputs are not permitted", "input": None}])
        return Depends(check)

    no_query = only_query()
    screener = require("analyst", "supervisor", "admin")
    reader = require("regulator", "analyst", "supervisor", "admin")

    @app.exception_handler(BadRecord)
    async def bad_input(_request: Request, exc: BadRecord) -> JSONResponse:
        field = ("address" if isinstance(exc, InvalidAddress)
                 else exc.field if isinstance(exc, InvalidQuery) else None)
        error = {"loc": ["body", field] if field else ["body"], "msg": str(exc),
                 "type": "invalid_address" if isinstance(exc, InvalidAddress) else "invalid"}
        return JSONResponse({"detail": [error]}, status_code=422)

    @app.exception_handler(BackendError)
    async def backend_down(_request: Request, exc: BackendError) -> JSONResponse:
        # A Redis outage is the server's state, not a bug: 503 with the reason, so a client
        # (or a load balancer) retries, instead of a 500 with a traceback in the log.
        return JSONResponse({"detail": f"backend down: {exc}"}, status_code=503,
                            headers={"Retry-After": "1"})

    @app.post("/v1/screen/address", response_model=Answer, dependencies=[screener, no_query],
              responses=_BODY)
    async def screen_address(body: AddressRequest, request: Request) -> Response:
        return _counted("address", service.screen_address(
            body.address, body.chain, body.customer, value_jpy=body.value_jpy,
            by=request.state.caller, transfer=body.transfer))

    @app.post("/v1/screen/name", response_model=Answer, dependencies=[screener, no_query],
              responses=_BODY)
    async def screen_name(body: NameRequest, request: Request) -> Response:
        country = body.country.upper() if body.country else None
        return _counted("name", service.screen_name(NameQuery(body.name, body.dob, country),
                                                    by=request.state.caller))

    @app.get("/v1/alerts", response_model=AlertPage, responses=_AUTH,
             dependencies=[reader, only_query("from_seq", "limit")])
    async def alert_feed(from_seq: Annotated[int, Query(ge=1, le=MAX_SEQ)] = 1,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        events = [event for _, event in islice(alerts.events(from_seq), limit)]
        last = events[-1]["sequence"] if events else from_seq - 1
        return {"events": events, "next_seq": int(last) + 1}

    @app.get("/v1/confirmations", response_model=ConfirmationPage, responses=_AUTH,
             dependencies=[reader, only_query("from_seq", "limit", "from", "to", "decision")])
    async def confirmation_records(
            from_seq: Annotated[int, Query(ge=1, le=MAX_SEQ)] = 1,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100,
            since: Annotated[str | None, Query(alias="from", pattern=_DAY,
                                               description="First day (UTC)")] = None,
            until: Annotated[str | None, Query(alias="to", pattern=_DAY,
                                               description="Last day (UTC), inclusive")] = None,
            decision: Decision | None = None) -> Response:
        first, last_day = _day("from", since), _day("to", until)
        records = list(islice(service.log.select(from_seq, first, last_day, decision), limit))
        last = records[-1]["seq"] if records else from_seq - 1
        return _json({"records": records, "next_seq": int(last) + 1})

    app.mount("/metrics", make_asgi_app())

    @app.get("/healthz", response_model=Health, responses=_DOWN)
    async def healthz() -> dict[str, Any]:
        service.store.ping()
        _, versions = service.matcher()
        return {"status": "ok", "lists": versions}

    _mount_console(app, service, alerts, tokens, users, signer, replayer)
    return app


def _day(name: str, text: str | None) -> dt.date | None:
    """A YYYY-MM-DD query parameter as a date; a day that does not exist is a 422. (A
    ``date`` parameter would let pydantic read ``from=0`` as a Unix timestamp.)"""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RequestValidationError([{"type": "invalid",
                                       "loc": ["query", name], "input": text,
                                       "msg": "Input should be a valid date"}]) from None


def _mount_console(app: FastAPI, service: ScreeningService, alerts: AlertStore,
                   tokens: dict[str, str], users: dict[str, User] | None,
                   signer: Signer | None, replayer: Any = None) -> None:
    """The console, unless Jinja2 is missing (an install of the API without the console)."""
    try:
        from screening.console import mount_console
    except ModuleNotFoundError as exc:
        if exc.name != "jinja2":
            raise
        return
    named = users if users is not None else {t: User(r, r) for t, r in tokens.items()}
    mount_console(app, service, alerts, named, signer, replayer)


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
    from screening.auth import parse_tokens, parse_users
    from screening.runtime import open_service
    from txmon.app import App
    from txmon.settings import load_settings

    application = App(load_settings())
    service = open_service(application)
    service.matcher()
    return create_app(service, AlertStore(application.store),
                      parse_tokens(application.settings.api_tokens),
                      parse_users(application.settings.api_tokens), application.feed_signer,
                      replayer_for(application))


def replayer_for(application: Any) -> Any:
    """The console's replay page judge (None without the console's extra)."""
    try:
        from screening.console.replay import Replayer
    except ModuleNotFoundError:
        return None
    return Replayer.from_app(application)
