"""HTML pages: sign-in, the alert queue, alert evidence and the flow graph.

Server-rendered (Jinja2); each handler reads through :class:`Console`, the same service
layer as the JSON API. State-changing forms are POSTs carrying the session's CSRF token;
after a change the browser is redirected (303) so a reload never repeats it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from alerts.flow import Window
from alerts.queue import SEVERITIES, STATUSES, Filters
from screening.console.auth import WORKERS
from screening.console.context import Console
from screening.console.graph import render_svg
from screening.console.jsonapi import assign_alerts
from screening.console.render import SECURITY_HEADERS, page
from screening.console.sessions import COOKIE
from screening.console.web import back, form, one, signed_in
from txmon.errors import WorkflowError

PAGE_SIZE = 50
FILTERS = ("status", "severity", "rule", "chain", "source", "assignee", "since", "until",
           "retroactive")


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filters(q: dict[str, str]) -> Filters:
    retro = {"yes": True, "no": False}.get(q.get("retroactive", ""))
    return Filters(status=q.get("status", "") if q.get("status") in STATUSES else "",
                   severity=q.get("severity", "") if q.get("severity") in SEVERITIES else "",
                   rule=q.get("rule", ""), chain=q.get("chain", ""), source=q.get("source", ""),
                   assignee=q.get("assignee", ""), since=_date(q.get("since", "")),
                   until=_date(q.get("until", "")), retroactive=retro)


def router(console: Console) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/")
    async def home(request: Request) -> Response:
        return RedirectResponse("/queue", 303)

    @pages.get("/login")
    async def login_page(request: Request, next: str = "/queue") -> Response:
        return page("login.html", next=next, me=None, error="")

    @pages.post("/login")
    async def login(request: Request) -> Response:
        fields = await form(request)
        target = one(fields, "next", "/queue")
        found = console.sessions.login(one(fields, "token"))
        if found is None:
            return page("login.html", 401, next=target, me=None,
                        error="Unknown token: nothing was signed in.")
        sid, _user = found
        response = back(target if target.startswith("/") and target != "/login" else "/queue")
        response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https", max_age=8 * 3600)
        return response

    @pages.post("/logout")
    async def logout(request: Request) -> Response:
        session = signed_in(console, request)
        await form(request, session)
        if sid := request.cookies.get(COOKIE):
            console.sessions.logout(sid)
        response = back("/login")
        response.delete_cookie(COOKIE, path="/")
        return response

    @pages.get("/queue")
    async def queue(request: Request) -> Response:
        me = signed_in(console, request)
        q = {k: request.query_params.get(k, "") for k in FILTERS}
        try:
            offset = max(0, int(request.query_params.get("offset", "0")))
        except ValueError:
            offset = 0
        result = console.queue.page(_filters(q), offset, PAGE_SIZE)
        active = {k: v for k, v in q.items() if v}

        def link(**change: Any) -> str:
            merged = {**active, **change}
            return "/queue?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

        return page("queue.html", me=me, page=result, q=q, link=link, statuses=STATUSES,
                    severities=SEVERITIES, people=console.people, msg=request.query_params
                    .get("msg", ""), here=request.url.path + "?" + request.url.query,
                    can_work=me.user.role in WORKERS)

    @pages.post("/queue/assign")
    async def bulk_assign(request: Request) -> Response:
        me = signed_in(console, request, WORKERS)
        fields = await form(request, me)
        ids = [i for i in fields.get("alert", []) if i]
        target = one(fields, "back", "/queue")
        if one(fields, "action") == "case":
            return await _open_case(ids, one(fields, "title"), one(fields, "reason"), me, target)
        try:
            count = assign_alerts(console, ids, one(fields, "assignee"), me)
        except WorkflowError as exc:  # shown to the user; nothing was assigned
            return back(target, msg=f"Not assigned: {exc}")
        return back(target, msg=f"{count} alert(s) assigned to "
                                f"{one(fields, 'assignee') or 'nobody'}")

    async def _open_case(ids: list[str], title: str, reason: str, me: Any,
                         target: str) -> Response:
        try:
            for alert_id in ids:
                console.alert(alert_id)
            case = console.cases.open(ids, title, reason or "opened from the queue", me.user)
        except WorkflowError as exc:  # NotFound or refused: shown to the user
            return back(target, msg=f"No case opened: {exc}")
        return back(f"/cases/{case.id}", msg=f"Case {case.id} opened")

    @pages.post("/cases")
    async def open_case(request: Request) -> Response:
        me = signed_in(console, request, WORKERS)
        fields = await form(request, me)
        return await _open_case([i for i in fields.get("alert", []) if i], one(fields, "title"),
                                one(fields, "reason"), me, one(fields, "back", "/queue"))

    @pages.get("/alerts/{alert_id}")
    async def alert(request: Request, alert_id: str) -> Response:
        me = signed_in(console, request)
        if console.queue.get(alert_id) is None:
            return page("error.html", 404, me=me, title="No such alert",
                        message=f"No stored alert has the id {alert_id}.")
        ev = console.evidence(alert_id)
        flow = console.flow(alert_id)
        return page("alert.html", me=me, ev=ev, a=ev["alert"], flow=flow,
                    svg=render_svg(flow, f"Flow of alert {alert_id}"),
                    can_work=me.user.role in WORKERS, msg=request.query_params.get("msg", ""),
                    people=console.people)

    def _graph_args(request: Request, decimals: int | None) -> tuple[list[str], Window]:
        """The traced path's URL state: expanded addresses and the neighbour window."""
        q = request.query_params
        expanded = [a for a in q.getlist("expand") if a][:10]
        floor = 0
        try:
            if q.get("min"):
                floor = int(Decimal(q["min"]) * 10 ** (decimals or 0))
        except (InvalidOperation, ValueError):
            floor = 0
        since, until = _date(q.get("since", "")), _date(q.get("until", ""))
        return expanded, Window(since.isoformat() if since else "",
                                until.isoformat() if until else "", max(0, floor))

    @pages.get("/alerts/{alert_id}/graph")
    async def graph(request: Request, alert_id: str) -> Response:
        me = signed_in(console, request)
        if console.queue.get(alert_id) is None:
            return page("error.html", 404, me=me, title="No such alert",
                        message=f"No stored alert has the id {alert_id}.")
        alert, _ = console.alert(alert_id)
        expanded, window = _graph_args(request, console.flow(alert_id).decimals)
        flow = console.flow(alert_id, expanded, window)

        def toggle(address: str) -> str:
            keep = [a for a in expanded if a != address]
            if address not in expanded:
                keep.append(address)
            params = [("expand", a) for a in keep] + [
                (k, request.query_params[k]) for k in ("since", "until", "min")
                if request.query_params.get(k)]
            return f"/alerts/{alert_id}/graph" + (f"?{urlencode(params)}" if params else "")

        svg_query = request.url.query
        return page("graph.html", me=me, a=alert, flow=flow, expanded=expanded,
                    svg=render_svg(flow, f"Flow of alert {alert_id}"), toggle=toggle,
                    q={k: request.query_params.get(k, "") for k in ("since", "until", "min")},
                    svg_href=f"/alerts/{alert_id}/graph.svg" + (f"?{svg_query}"
                                                                 if svg_query else ""))

    @pages.get("/alerts/{alert_id}/graph.svg")
    async def graph_svg(request: Request, alert_id: str) -> Response:
        signed_in(console, request)
        if console.queue.get(alert_id) is None:
            return Response("no such alert", 404, media_type="text/plain")
        expanded, window = _graph_args(request, console.flow(alert_id).decimals)
        svg = render_svg(console.flow(alert_id, expanded, window), f"Flow of alert {alert_id}")
        return Response(svg, media_type="image/svg+xml", headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="txmon-flow-{alert_id}.svg"'})

    return pages
