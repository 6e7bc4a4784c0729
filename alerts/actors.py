"""Who may act on alerts, cases and exceptions, and the hash of a trail entry.

Its own module (not part of alerts/cases.py) so that screening, which records
false-positive exceptions, can use it without loading the case workflow and the feed: a
one-off ``txmon screen`` must start in under a second.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from txmon.errors import WorkflowError
from txmon.wire import dumps

DECIDERS = frozenset({"supervisor", "admin"})
WORKERS = frozenset({"analyst", "supervisor", "admin"})


class Actor(Protocol):
    """Who acts: the name recorded in the trail and the role that decides what is allowed
    (screening.auth.User is one; the CLI or a test may pass any object with both)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...


class Forbidden(WorkflowError):
    """The user's role may not take this action (the API answers 403)."""


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of a trail entry without its own ``hash``."""
    return hashlib.sha256(dumps({k: v for k, v in entry.items() if k != "hash"})).hexdigest()
