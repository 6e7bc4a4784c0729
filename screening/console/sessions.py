"""Console sign-in: a token becomes a session cookie; every request names its user.

Why a server-side session (a random id in the cookie, its record in the Store) rather
than the token in a cookie: the token never travels again after the login form, logging
out really ends the session, and every ``txmon api`` worker (and a restart) sees the same
sessions because they live in the shared store. The record keeps only the token's
SHA-256, so a revoked token (removed from ``TXMON_API_TOKENS``) ends its sessions at the
next request. The cookie is HttpOnly, SameSite=Strict, and Secure when served over https.
Each session carries a CSRF token that every state-changing form post must echo (the
``csrf`` field) or, for JSON calls made with the cookie, the ``X-CSRF-Token`` header.
Requests with ``Authorization: Bearer`` need no CSRF token: a browser never adds that
header on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from screening.auth import User, user_of
from txmon.store.base import Store
from txmon.wire import dumps, loads

COOKIE = "txmon_session"
TTL_SECONDS = 8 * 3600  # a working day


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf: str  # "" for bearer requests (no cookie: nothing to forge)
    via_cookie: bool


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Sessions:
    """Sessions on the Store, keyed by the SHA-256 of the cookie's random id."""

    def __init__(self, store: Store, users: Mapping[str, User]) -> None:
        self._store = store
        self._users = users
        self._by_digest = {_digest(token): user for token, user in users.items()}

    def login(self, token: str) -> tuple[str, User] | None:
        """A new session id for a valid token (None: unknown token)."""
        user = user_of(self._users, token)
        if user is None:
            return None
        sid = secrets.token_urlsafe(32)
        record = {"t": _digest(token), "csrf": secrets.token_urlsafe(24),
                  "exp": int(time.time()) + TTL_SECONDS}
        self._store.put(f"console-session:{_digest(sid)}", dumps(record))
        return sid, user

    def logout(self, sid: str) -> None:
        self._store.delete(f"console-session:{_digest(sid)}")

    def from_cookie(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 128:
            return None
        raw = self._store.get(f"console-session:{_digest(sid)}")
        if raw is None:
            return None
        record = loads(raw)
        user = self._by_digest.get(record["t"])
        if user is None or record["exp"] < time.time():
            return None
        return Session(user, record["csrf"], via_cookie=True)

    def from_bearer(self, token: str) -> Session | None:
        user = user_of(self._users, token)
        return None if user is None else Session(user, "", via_cookie=False)


def csrf_ok(session: Session, presented: str | None) -> bool:
    """True for a bearer request, or a cookie request echoing its session's CSRF token."""
    if not session.via_cookie:
        return True
    return bool(presented) and hmac.compare_digest(session.csrf.encode(),
                                                   (presented or "").encode())
