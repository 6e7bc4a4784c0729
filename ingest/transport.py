"""How JSON-RPC bytes reach a node: the seam where tests plug in recorded responses.

The client (:mod:`ingest.rpc`) only needs "POST these bytes, give me status and body";
keeping that behind a two-method protocol lets the golden-file tests replay real node
responses without a network and without mocking HTTP internals.
"""

from __future__ import annotations

import threading
from typing import ClassVar, Protocol

import requests


class TransportFailure(Exception):
    """The request did not get an HTTP answer (refused, reset, timed out)."""


class Transport(Protocol):
    """POST one request body; returns ``(http_status, response_body)``."""

    def post(self, body: bytes) -> tuple[int, bytes]: ...

    def close(self) -> None: ...


class HttpTransport:
    """HTTP keep-alive transport on ``requests``, one session per thread.

    A ``requests.Session`` is not documented as thread-safe, and the follower fetches from
    several threads, so each thread gets its own session (and its own kept-alive
    connection to the node).
    """

    # No gzip: on a local node, compressing large JSON costs the node more CPU than the
    # bytes saved (remote nodes behind a proxy may still compress).
    _HEADERS: ClassVar[dict[str, str]] = {
        "content-type": "application/json",
        "accept-encoding": "identity",
    }

    def __init__(
        self, url: str, *, timeout: float = 120.0, auth: tuple[str, str] | None = None
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._auth = auth
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def post(self, body: bytes) -> tuple[int, bytes]:
        try:
            response = self._session().post(
                self._url, data=body, headers=self._HEADERS, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise TransportFailure(f"{type(exc).__name__}: {exc}") from exc
        return response.status_code, response.content

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self._auth
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session
