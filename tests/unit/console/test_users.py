"""Tokens name users with a role; the older token=role form still works."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from screening.auth import User, parse_tokens, parse_users, user_of
from txmon.errors import ConfigError

A = "analyst-token-0123456789"
S = "supervisor-token-0123456789"


def test_named_and_legacy_entries() -> None:
    users = parse_users(SecretStr(f"{A}=analyst:Alice Tanaka, {S}=supervisor"))
    assert users == {A: User("Alice Tanaka", "analyst"),
                     S: User("supervisor-token-2", "supervisor")}
    assert parse_tokens(SecretStr(f"{A}=analyst:alice")) == {A: "analyst"}
    assert user_of(users, S) == User("supervisor-token-2", "supervisor")
    assert user_of(users, "x" * 24) is None


@pytest.mark.parametrize("entry, problem", [
    (f"{A}=auditor:bob", "role one of analyst, supervisor, regulator, admin"),
    (f"{A}=analyst:<script>", "a user name is"),
    ("short=analyst:bob", "shorter than 16"),
])
def test_bad_entries_are_start_up_errors(entry: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as caught:
        parse_users(SecretStr(entry))
    assert A not in str(caught.value)  # the token is never echoed
