"""HTML pages: pre-withdrawal screening, lists and their freshness, the regulator view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from alerts.export import ExportHead, export_lines
from alerts.queue import row_of
from screening.console.auth import WORKERS
from screening.console.context import Console
from screening.console.render import SECURITY_HEADERS, page
from screening.console.replay_jobs import MAX_BLOCKS
from screening.console.web import form, one, signed_in
from screening.matcher import NameQuery
from txmon.errors import BadRecord
from txmon.wire import alert_to_wire


def _jobs(console: Console) -> list[Any]:
    """The server's replay jobs, newest first (none without a replayer)."""
    jobs = getattr(console.replayer, "jobs", None)
    return jobs.all() if jobs is not None else []


SCREENERS = WORKERS  # the screening API's analyst and admin, plus supervisors


def router(console: Console) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/screen")
    async def screen_page(request: Request) -> Response:
        me = signed_in(console, request, SCREENERS)
        return page("screen.html", me=me, answer=None, error="", f={})

    @pages.post("/screen")
    async def screen(request: Request) -> Response:
        me = signed_in(console, request, SCREENERS)
        fields = await form(request, me)
        f = {k: one(fields, k) for k in ("address", "chain", "customer", "name", "dob",
                                         "country")}
        try:
            if f["address"]:
                answer = console.service.screen_address(f["address"], f["chain"] or None,
                                                        f["customer"] or None)
            elif f["name"]:
                dob = dt.date.fromisoformat(f["dob"]) if f["dob"] else None
                answer = console.service.screen_name(NameQuery(
                    f["name"], dob, f["country"].upper() or None))
            else:
                raise BadRecord("give an address, or a name")
        except (BadRecord, ValueError) as exc:
            return page("screen.html", 422, me=me, answer=None, error=str(exc), f=f)
        return page("screen.html", me=me, answer=answer, error="", f=f)

    @pages.get("/lists")
    async def lists(request: Request) -> Response:
        me = signed_in(console, request)
        return page("lists.html", me=me, lists=console.lists(), stale_days=console.stale_days)

    @pages.get("/regulator")
    async def regulator(request: Request) -> Response:
        me = signed_in(console, request)
        return page("regulator.html", me=me, r=console.regulator())

    @pages.get("/replay")
    async def replay_page(request: Request) -> Response:
        me = signed_in(console, request, SCREENERS)
        return page("replay.html", me=me, result=None, error="", f={},
                    enabled=console.replayer is not None, jobs=_jobs(console),
                    max_blocks=MAX_BLOCKS, blocks_enabled=getattr(
                        getattr(console.replayer, "jobs", None), "blocks_root", None)
                    is not None)

    @pages.post("/replay")
    async def replay(request: Request) -> Response:
        me = signed_in(console, request, SCREENERS)
        fields = await form(request, me)
        f = {k: one(fields, k) for k in ("as_of", "mode")}
        text = (fields.get("transfers") or [""])[0]
        if console.replayer is None:
            return page("replay.html", 404, me=me, result=None, f=f, enabled=False,
                        error="replay is not configured in this server", jobs=[],
                        max_blocks=MAX_BLOCKS)
        try:
            day = dt.date.fromisoformat(f["as_of"]) if f["as_of"] else None
        except ValueError:
            return page("replay.html", 422, me=me, result=None, f=f, enabled=True,
                        error=f"as of: {f['as_of']!r} is not a date (YYYY-MM-DD)",
                        jobs=_jobs(console), max_blocks=MAX_BLOCKS)
        alerts, stats = console.replayer.run(text.encode().splitlines(), day,
                                             f["mode"] != "point-in-time")
        rows = [row_of(n, {"data": alert_to_wire(a)}, console.tags.history)
                for n, a in enumerate(alerts, 1)]
        return page("replay.html", me=me, f=f, enabled=True, error="", jobs=_jobs(console),
                    max_blocks=MAX_BLOCKS,
                    result={"rows": rows, "stats": stats, "alerts": alerts})

    @pages.get("/regulator/feed.ndjson")
    async def feed_export(request: Request) -> Response:
        """The same bytes as ``txmon alerts export`` (alerts/export.py)."""
        signed_in(console, request)
        made = ExportHead()
        body = b"".join(export_lines(console.alerts, console.signer, 1, made))
        return Response(body, media_type="application/x-ndjson", headers={
            **SECURITY_HEADERS, "X-Txmon-Feed-Head": str(made.head),
            "Content-Disposition": 'attachment; filename="txmon-feed.ndjson"'})

    return pages
