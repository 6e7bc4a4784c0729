"""HTML pages for false-positive exceptions: the list (active, due for review, expired,
revoked) with revocation, and the form posted from a customer-name-match alert's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from alerts.cases import DECIDERS, Forbidden
from screening.console.context import Console
from screening.console.exceptions_api import NewException, listing, record
from screening.console.render import page
from screening.console.web import back, form, one, signed_in
from txmon.errors import WorkflowError


def router(console: Console) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def refused(me: object, exc: Exception, here: str) -> Response:
        status = 403 if isinstance(exc, Forbidden) else 409
        return page("error.html", status, me=me, title="Refused",
                    message=f"{exc}. Nothing was changed.", back_to=here)

    @pages.get("/exceptions")
    async def exceptions(request: Request) -> Response:
        me = signed_in(console, request)
        shown = listing(console)
        subject = request.query_params.get("subject", "").strip()
        if subject:  # from an alert's page: that customer's exceptions only
            shown["exceptions"] = [e for e in shown["exceptions"] if e["subject"] == subject]
        return page("exceptions.html", me=me, **shown, subject=subject,
                    can_decide=me.user.role in DECIDERS,
                    msg=request.query_params.get("msg", ""))

    @pages.post("/exceptions")
    async def create(request: Request) -> Response:
        me = signed_in(console, request, DECIDERS)
        fields = await form(request, me)
        here = one(fields, "back", "/exceptions")
        try:
            body = NewException.model_validate({k: one(fields, k) for k in (
                "subject_kind", "subject", "source", "list_id", "reason", "expires",
                "review_by", "alert")})
            exc = record(console, body, me)
        except ValidationError as bad:
            first = bad.errors()[0]
            return refused(me, ValueError(f"{first['loc'][0]}: {first['msg']}"), here)
        except WorkflowError as exc_:
            return refused(me, exc_, here)
        return back("/exceptions", msg=f"Exception {exc.id} recorded until {exc.expires}")

    @pages.post("/exceptions/{exception_id}/revoke")
    async def revoke(request: Request, exception_id: str) -> Response:
        me = signed_in(console, request, DECIDERS)
        fields = await form(request, me)
        try:
            console.service.exceptions.revoke(exception_id, one(fields, "reason"), me.user)
        except WorkflowError as exc:
            return refused(me, exc, "/exceptions")
        return back("/exceptions", msg=f"Exception {exception_id} revoked")

    return pages

