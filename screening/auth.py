"""API tokens, named users and roles, from ``settings.api_tokens`` (a secret).

``TXMON_API_TOKENS="token=role:name,token=role"``: each token belongs to one named user
with one role. The name is who asked in every confirmation record the token's requests
make, and who did it in every console change (case actions, status changes,
assignments), so it is taken from the token, never typed by the user; a bare
``token=role`` is named ``<role>-token-<n>`` (its place in the list), never the token.

Roles: ``analyst`` (screening, alert and case work), ``supervisor`` (an analyst who may
also decide cases; a second supervisor confirms releasing or dismissing a critical one:
four-eyes), ``regulator`` (read-only alert feed, confirmation records and the console's
regulator view), ``admin`` (all).
Tokens are compared in constant time and never logged or echoed: an error names the
problem ("unknown token"), never the token.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from txmon.errors import ConfigError

ROLES = ("analyst", "supervisor", "regulator", "admin")
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")


@dataclass(frozen=True, slots=True)
class User:
    """Who presented a token: the name recorded in audit trails, and the role."""

    name: str
    role: str


def parse_tokens(secret: SecretStr | None) -> dict[str, str]:
    """token → role; a malformed entry or an unknown role is a start-up error."""
    return {token: role for token, role, _ in _entries(secret)}


def token_names(secret: SecretStr | None) -> dict[str, str]:
    """token → the identity recorded as ``requested_by`` in confirmation records.

    An entry ``token=role:name`` names it (``analyst:ops-tokyo``); a bare ``token=role``
    is ``<role>-token-<n>`` (its place in the list): never the token itself.
    """
    return {token: name for token, _, name in _entries(secret)}


def parse_users(secret: SecretStr | None) -> dict[str, User]:
    """token → named user (the console's view of the same entries)."""
    return {token: User(name, role) for token, role, name in _entries(secret)}


def _entries(secret: SecretStr | None) -> list[tuple[str, str, str]]:
    if secret is None:
        return []
    out: list[tuple[str, str, str]] = []
    for n, item in enumerate(secret.get_secret_value().split(","), 1):
        token, sep, grant = item.strip().rpartition("=")
        role, _, name = grant.partition(":")
        if not sep or not token or role not in ROLES:
            raise ConfigError(f"TXMON_API_TOKENS: entry {n} must be token=role[:name] with "
                              f"role one of {', '.join(ROLES)}")
        if len(token) < 16:
            raise ConfigError(f"TXMON_API_TOKENS: entry {n}: token shorter than 16 characters")
        if name and not _NAME.fullmatch(name):
            raise ConfigError(f"TXMON_API_TOKENS: entry {n}: name must be 1-64 of "
                              "A-Z a-z 0-9 . _ @ -")
        out.append((token, role, name or f"{role}-token-{n}"))
    return out


def user_of(users: Mapping[str, User], presented: str) -> User | None:
    """The user of ``presented``, comparing against every token in constant time."""
    found = None
    for token, user in users.items():
        if hmac.compare_digest(token.encode(), presented.encode()):
            found = user
    return found


def role_of(tokens: Mapping[str, str], presented: str) -> str | None:
    """The role of ``presented``, comparing against every token in constant time."""
    found = None
    for token, role in tokens.items():
        if hmac.compare_digest(token.encode(), presented.encode()):
            found = role
    return found
