"""HTML pages for cases: list, one case with its actions and trail, and its report.

The report (HTML or CSV) is what an investigator files: the case, its alerts with their
evidence summary, every trail entry with who/when/hash, and whether the trail verifies.
"""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from alerts.cases import DECIDERS, FLOW
from screening.console.auth import WORKERS
from screening.console.context import Console
from screening.console.graph import render_svg
from screening.console.render import SECURITY_HEADERS, page
from screening.console.web import back, form, one, signed_in
from txmon.errors import WorkflowError


def _report_rows(console: Console, case_id: str) -> list[list[str]]:
    case = console.cases.get(case_id)
    rows = [["section", "seq", "at", "by", "role", "kind", "detail", "hash"]]
    for alert_id in case.alerts:
        row = console.queue.get(alert_id)
        if row is not None:
            rows.append(["alert", str(row.seq), row.stored, "", "", row.rule,
                         f"{row.severity} {row.chain} {row.amount} {row.asset} "
                         f"as of {row.as_of} {alert_id}", ""])
    for entry in case.entries:
        data = entry["data"]
        detail = "; ".join(f"{k}={v}" for k, v in data.items() if v not in ("", None, []))
        rows.append(["trail", str(entry["seq"]), entry["at"], entry["by"], entry["role"],
                     entry["kind"], detail, entry["hash"]])
    problem = console.cases.verify(case_id)
    rows.append(["verification", "", "", "", "", "trail",
                 "intact" if problem is None else f"BROKEN: {problem}", ""])
    return rows


def router(console: Console) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def _missing(me: object, case_id: str) -> Response:
        return page("error.html", 404, me=me, title="No such case",
                    message=f"There is no case {case_id}.")

    @pages.get("/cases")
    async def cases(request: Request) -> Response:
        me = signed_in(console, request)
        return page("cases.html", me=me, cases=list(reversed(console.cases.all())))

    @pages.get("/cases/{case_id}")
    async def case(request: Request, case_id: str) -> Response:
        me = signed_in(console, request)
        try:
            found = console.cases.get(case_id)
        except WorkflowError:
            return _missing(me, case_id)
        rows = [console.queue.get(a) for a in found.alerts]
        return page("case.html", me=me, case=found, rows=[r for r in rows if r],
                    problem=console.cases.verify(case_id), next_states=sorted(FLOW[found.status]),
                    can_work=me.user.role in WORKERS, can_decide=me.user.role in DECIDERS,
                    people=console.people, msg=request.query_params.get("msg", ""))

    @pages.post("/cases/{case_id}/{action}")
    async def act(request: Request, case_id: str, action: str) -> Response:
        me = signed_in(console, request, WORKERS)
        fields = await form(request, me)
        here = f"/cases/{case_id}"
        try:
            if action == "assign":
                console.cases.assign(case_id, one(fields, "to"), me.user)
                msg = f"Assigned to {one(fields, 'to') or 'nobody'}"
            elif action == "comment":
                console.cases.comment(case_id, one(fields, "text"), me.user)
                msg = "Comment added"
            elif action == "status":
                to = one(fields, "to")
                after = console.cases.move(case_id, to, one(fields, "reason"), me.user,
                                           one(fields, "evidence"))
                msg = (f"Status now {after.status}" if after.status == to else
                       f"{to} requested: a second supervisor must confirm (four-eyes)")
            else:
                return _missing(me, case_id)
        except WorkflowError as exc:
            status = 403 if type(exc).__name__ == "Forbidden" else 409
            return page("error.html", status, me=me, title="Refused",
                        message=f"{exc}. Nothing was changed.", back_to=here)
        return back(here, msg=msg)

    @pages.get("/cases/{case_id}/report.csv")
    async def report_csv(request: Request, case_id: str) -> Response:
        me = signed_in(console, request)
        try:
            rows = _report_rows(console, case_id)
        except WorkflowError:
            return _missing(me, case_id)
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return Response(out.getvalue(), media_type="text/csv", headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="txmon-case-{case_id}.csv"'})

    @pages.get("/cases/{case_id}/report.html")
    async def report_html(request: Request, case_id: str) -> Response:
        me = signed_in(console, request)
        try:
            found = console.cases.get(case_id)
        except WorkflowError:
            return _missing(me, case_id)
        graphs = {}
        for alert_id in found.alerts:
            flow = console.flow(alert_id)
            if flow.edges:
                graphs[alert_id] = render_svg(flow, f"Flow of alert {alert_id}")
        response = page("report.html", me=me, case=found, graphs=graphs,
                        rows=[r for a in found.alerts if (r := console.queue.get(a))],
                        problem=console.cases.verify(case_id))
        response.headers["Content-Disposition"] = (
            f'inline; filename="txmon-case-{case_id}.html"')
        return response

    return pages
