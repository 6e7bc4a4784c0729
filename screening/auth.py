"""API tokens and roles, from ``settings.api_tokens`` ("token=role,token=role", a secret).

Roles: ``analyst`` (screening), ``regulator`` (read-only alert feed), ``admin`` (all).
Tokens are compared in constant time and never logged or echoed: an error names the
problem ("unknown token"), never the token.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from txmon.errors import ConfigError

ROLES = ("analyst", "regulator", "admin")


def parse_tokens(secret: SecretStr | None) -> dict[str, str]:
    """token → role; a malformed entry or an unknown role is a start-up error."""
    if secret is None:
        return {}
    out: dict[str, str] = {}
    for n, item in enumerate(secret.get_secret_value().split(","), 1):
        token, sep, role = item.strip().rpartition("=")
        if not sep or not token or role not in ROLES:
            raise ConfigError(f"TXMON_API_TOKENS: entry {n} must be token=role with role one "
                              f"of {', '.join(ROLES)}")
        if len(token) < 16:
            raise ConfigError(f"TXMON_API_TOKENS: entry {n}: token shorter than 16 characters")
        out[token] = role
    return out


def role_of(tokens: dict[str, str], presented: str) -> str | None:
    """The role of ``presented``, comparing against every token in constant time."""
    found = None
    for token, role in tokens.items():
        if hmac.compare_digest(token.encode(), presented.encode()):
            found = role
    return found
