"""Reading JSON-RPC fields with a :class:`~txmon.errors.BadRecord` instead of a KeyError.

Node JSON carries integers as hex "quantities" (``"0x1b4"``). A missing or malformed field
in one transaction must dead-letter that transaction, not crash the block, so every read
goes through these helpers and names the field it failed on.
"""

from __future__ import annotations

from typing import Any

from txmon.errors import BadRecord


def quantity(obj: dict[str, Any], key: str) -> int:
    """Hex quantity ``obj[key]`` as an int (JSON numbers are accepted: Parity's blockNumber)."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.startswith("0x"):
        raise BadRecord(f"field {key!r} is not a hex quantity: {value!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise BadRecord(f"field {key!r} is not a hex quantity: {value!r}") from None


def optional_quantity(obj: dict[str, Any], key: str) -> int | None:
    """Like :func:`quantity` but ``None`` when the field is absent or null."""
    return None if obj.get(key) is None else quantity(obj, key)


def text(obj: dict[str, Any], key: str) -> str:
    """A required string field (hashes, hex data)."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise BadRecord(f"field {key!r} missing or not a string: {value!r}")
    return value


def hex_value(raw: Any, what: str) -> int:
    """A hex value that may be absent (0), e.g. a trace frame's ``value``."""
    if raw is None:
        return 0
    try:
        return int(raw, 16)
    except (TypeError, ValueError):
        raise BadRecord(f"{what} is not a hex quantity: {raw!r}") from None
