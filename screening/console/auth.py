"""Who is asking: the bearer token or the session cookie, for pages and JSON alike."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request

from screening.console.context import Console
from screening.console.sessions import COOKIE, Session, csrf_ok

READERS = frozenset({"analyst", "supervisor", "regulator", "admin"})
WORKERS = frozenset({"analyst", "supervisor", "admin"})


def session_of(console: Console, request: Request) -> Session | None:
    """The bearer token wins over the cookie; None when neither names a user."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return console.sessions.from_bearer(token.strip())
    return console.sessions.from_cookie(request.cookies.get(COOKIE))


def requirer(console: Console) -> Callable[..., Callable[[Request], Coroutine[Any, Any, Session]]]:
    """``need(roles)``: a FastAPI dependency for the JSON API (401 / 403 / CSRF 403)."""

    def need(roles: frozenset[str] = READERS) -> Callable[[Request], Coroutine[Any, Any, Session]]:
        async def check(request: Request) -> Session:
            session = session_of(console, request)
            if session is None:
                raise HTTPException(401, "missing or unknown bearer token or session",
                                    headers={"WWW-Authenticate": "Bearer"})
            if session.user.role not in roles:
                raise HTTPException(403, f"role {session.user.role} may not do this")
            if request.method == "POST" and not csrf_ok(
                    session, request.headers.get("x-csrf-token")):
                raise HTTPException(403, "missing or wrong X-CSRF-Token for a cookie session")
            return session
        return check

    return need
