"""The investigator and compliance console, served by ``txmon api`` at ``/``.

Server-rendered HTML (Jinja2) with one small script for keyboard use, over the JSON API
in ``jsonapi`` (part of the OpenAPI document) and the service layer in ``context``. Its
templates and static files are package data: nothing is fetched from anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from alerts.signing import Signer
from alerts.store import AlertStore
from screening.auth import User
from screening.console import (
    case_pages,
    exception_pages,
    exceptions_api,
    jsonapi,
    other_pages,
    pages,
    replay_pages,
)
from screening.console.context import Console
from screening.console.replay import Replayer
from screening.console.web import Refused
from screening.service import ScreeningService
from txmon.errors import WorkflowError


def mount_console(app: FastAPI, service: ScreeningService, alerts: AlertStore,
                  users: Mapping[str, User], signer: Signer | None = None,
                  replayer: Replayer | None = None) -> Console:
    """Add the console's pages, JSON API and static files to ``app``; ``replayer`` judges
    the replay page's transfers (no replay page without it)."""
    console = Console(service, alerts, users, signer)
    console.replayer = replayer
    # the queue index is built before the socket opens, so no user's first page pays it
    # (seconds at 100,000 alerts: bench/bench_console_queue.py, "start")
    console.queue.refresh()
    app.include_router(jsonapi.router(console))
    app.include_router(exceptions_api.router(console))
    app.include_router(pages.router(console))
    app.include_router(case_pages.router(console))
    app.include_router(other_pages.router(console))
    app.include_router(replay_pages.api_router(console))
    app.include_router(replay_pages.page_router(console))
    app.include_router(exception_pages.router(console))
    app.mount("/static", StaticFiles(directory=str(files("screening.console") / "static")),
              name="console-static")

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> Response:
        return exc.response

    @app.exception_handler(WorkflowError)
    async def workflow(_request: Request, exc: WorkflowError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=jsonapi.error_status(exc))

    return console
