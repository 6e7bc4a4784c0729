"""API tokens, named users and roles, from ``settings.api_tokens`` (a secret).

``TXMON_API_TOKENS="token=role:name,token=role"``: each token belongs to one named user
with one role; ``token=role`` (the older form) is still accepted and names the user
``<role>-token-<n>`` (its place in the list: two unnamed tokens stay two people, and the
token itself is never the name). The name is what every change records as *who* (case
actions, status changes, assignments), so it is taken from the token, never typed by the
user.

Roles: ``analyst`` (screening, alert and case work), ``supervisor`` (an analyst who may
also decide cases; a second supervisor confirms releasing or dismissing a critical one:
four-eyes), ``regulator`` (read-only alert feed and regulator view), ``admin`` (all).
Tokens are compared in constant time and never logged or echoed: an error names the
problem ("unknown token"), never the token.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from pydantic import SecretStr

from txmon.errors import ConfigError

_Grant = TypeVar("_Grant")
ROLES = ("analyst", "supervisor", "regulator", "admin")
_NAME = re.compile(r"^[\w.@ -]{1,64}$")


@dataclass(frozen=True, slots=True)
class User:
    """Who presented a token: the name recorded in audit trails, and the role."""

    name: str
    role: str


def parse_users(secret: SecretStr | None) -> dict[str, User]:
    """token → user; a malformed entry, an unknown role or a bad name is a start-up error."""
    if secret is None:
        return {}
    out: dict[str, User] = {}
    for n, item in enumerate(secret.get_secret_value().split(","), 1):
        token, sep, who = item.strip().rpartition("=")
        role, _, name = who.partition(":")
        if not sep or not token or role not in ROLES:
            raise ConfigError(f"TXMON_API_TOKENS: entry {n} must be token=role[:name] with "
                              f"role one of {', '.join(ROLES)}")
        if len(token) < 16:
            raise ConfigError(f"TXMON_API_TOKENS: entry {n}: token shorter than 16 characters")
        name = name.strip() or f"{role}-token-{n}"
        if not _NAME.match(name):
            raise ConfigError(f"TXMON_API_TOKENS: entry {n}: a user name is 1-64 letters, "
                              "digits, spaces or . _ @ -")
        out[token] = User(name, role)
    return out


def parse_tokens(secret: SecretStr | None) -> dict[str, str]:
    """token → role (the screening API's view of :func:`parse_users`)."""
    return {token: user.role for token, user in parse_users(secret).items()}


def token_names(secret: SecretStr | None) -> dict[str, str]:
    """token → the identity recorded as ``requested_by`` in confirmation records."""
    return {token: user.name for token, user in parse_users(secret).items()}


def _holder(grants: Mapping[str, _Grant], presented: str) -> _Grant | None:
    """What ``presented`` is granted, comparing against *every* token in constant time (no
    early exit, no dict lookup: how long it takes says nothing about how close a guess is)."""
    found = None
    for token, grant in grants.items():
        if hmac.compare_digest(token.encode(), presented.encode()):
            found = grant
    return found


def user_of(users: Mapping[str, User], presented: str) -> User | None:
    """The user of ``presented``, or None."""
    return _holder(users, presented)


def role_of(tokens: Mapping[str, str], presented: str) -> str | None:
    """The role of ``presented``, or None."""
    return _holder(tokens, presented)
