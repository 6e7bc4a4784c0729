"""Who may act on alerts, cases and exceptions.

Its own module (not part of alerts/cases.py) so that screening, which records
false-positive exceptions, can use it without loading the case workflow and the feed: a
one-off ``txmon screen`` must start in under a second.
"""

from __future__ import annotations

from typing import Protocol

from txmon.errors import WorkflowError

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
