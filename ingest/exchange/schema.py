"""Validation of one feed message against the versioned JSON schema.

The schema file is the contract with the exchange (schemas/exchange-events.v1.json);
validating with jsonschema rather than hand-written checks keeps the contract and the
code from drifting apart. The version is checked first so that a future v2 message is
dead-lettered as "unknown version", not as a pile of schema errors. What a schema cannot
say (a date that does not exist, an address of another chain) is checked after it, by
:mod:`ingest.exchange.validity`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ingest.exchange import validity
from txmon import wire
from txmon.errors import BadRecord
from txmon.shipped import shipped_dir

SCHEMAS = shipped_dir("schemas")
VERSIONS = (1,)


class BadEvent(BadRecord):
    """A feed message that is not JSON, not a known version, or violates the schema."""


@cache
def validator(version: int) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"exchange-events.v{version}.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def parse(raw: bytes) -> dict[str, Any]:
    """The event as a dict, or :class:`BadEvent` with a reason naming the field."""
    try:
        event = wire.loads(raw)
    except BadRecord as exc:
        raise BadEvent(str(exc)) from exc
    if not isinstance(event, dict):
        raise BadEvent(f"not a JSON object: {type(event).__name__}")
    version = event.get("v")
    if type(version) is not int or version not in VERSIONS:  # True == 1 in Python: not a version
        raise BadEvent(f"unknown schema version {version!r} (known: {list(VERSIONS)})")
    error = best_match(validator(version).iter_errors(event))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(event)"
        raise BadEvent(f"schema violation at {where}: {error.message[:300]}")
    validity.check(event)  # real dates, known chains, addresses and hashes of that chain
    return event
