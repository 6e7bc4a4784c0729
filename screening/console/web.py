"""What every HTML page handler shares: who is signed in, form bodies, redirects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from screening.console.auth import READERS, session_of
from screening.console.context import Console
from screening.console.render import SECURITY_HEADERS, page
from screening.console.sessions import Session, csrf_ok

MAX_FORM_BYTES = 64 * 1024


class Refused(Exception):
    """Answer with ``response`` instead of the page (sign-in redirect, 403, bad CSRF)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def signed_in(console: Console, request: Request,
              roles: frozenset[str] = READERS) -> Session:
    """The session, or Refused: to /login when nobody is signed in, 403 for a wrong role."""
    session = session_of(console, request)
    if session is None:
        raise Refused(RedirectResponse(f"/login?{urlencode({'next': _local(request)})}", 303))
    if session.user.role not in roles:
        raise Refused(page("error.html", 403, me=session, title="Not allowed",
                           message=f"Your role ({session.user.role}) may not do this. "
                                   "Nothing was changed."))
    return session


def _local(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


async def form(request: Request, session: Session | None = None) -> dict[str, list[str]]:
    """The urlencoded body (bounded); with ``session``, its CSRF field must match."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Refused(page("error.html", 413, me=session, title="Too large",
                           message="The form was larger than the console accepts."))
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                      max_num_fields=1000)
    if session is not None and not csrf_ok(session, one(fields, "csrf")):
        raise Refused(page("error.html", 403, me=session, title="Form expired",
                           message="The form's security token did not match your session "
                                   "(CSRF check). Reload the page and try again."))
    return fields


def one(fields: Mapping[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name) or [default]
    return values[0].strip()


def back(to: str, **params: Any) -> RedirectResponse:
    """A 303 to a console path (never an outside URL) with a message for the banner."""
    if not to.startswith("/") or to.startswith("//") or "\\" in to:  # no open redirect
        to = "/queue"
    query = urlencode({k: v for k, v in params.items() if v})
    sep = "&" if "?" in to else "?"
    return RedirectResponse(to + (sep + query if query else ""), 303,
                            headers=SECURITY_HEADERS)
