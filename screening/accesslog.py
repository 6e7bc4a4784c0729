"""uvicorn's access log, with query values that could be secrets redacted.

uvicorn logs each request line with its query string (never headers, so a bearer token
in ``Authorization`` does not reach the log). A client that puts a token in the URL
(``?token=…``, ``?api_key=…``) would have it written verbatim; so every query value is
replaced by ``[redacted]`` except those of the API's own parameters (``SAFE``), which
are sequence numbers and page sizes. An allow-list, because a deny-list of secret-looking
names always misses one.
"""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import unquote_plus

SAFE = frozenset({"from_seq", "limit"})
REDACTED = "[redacted]"
_PATH_ARG = 2  # uvicorn's args: client, method, path with query, HTTP version, status


def redact(path: str) -> str:
    """``path`` with every query value outside ``SAFE`` replaced by ``[redacted]``."""
    base, sep, query = path.partition("?")
    if not sep:
        return path
    parts = []
    for item in query.split("&"):
        key, eq, _ = item.partition("=")
        if not item or unquote_plus(key) in SAFE:
            parts.append(item)
        else:  # a bare item (``?SECRET``) may be the secret itself
            parts.append(f"{key}={REDACTED}" if eq else REDACTED)
    return f"{base}?{'&'.join(parts)}"


class RedactQuery(logging.Filter):
    """Rewrites the path argument of each ``uvicorn.access`` record (see :func:`redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        path = args[_PATH_ARG] if isinstance(args, tuple) and len(args) > _PATH_ARG else None
        if isinstance(args, tuple) and isinstance(path, str):
            record.args = (*args[:_PATH_ARG], redact(path), *args[_PATH_ARG + 1:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with :class:`RedactQuery` on its access log
    (a dict, so ``--workers`` processes configure themselves the same way)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_query"] = {"()": f"{__name__}.RedactQuery"}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_query"]
    return config
