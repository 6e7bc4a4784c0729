"""A new list version's delta on ``txmon.tags.updates``: the message, both sides.

Every worker swaps its index when it sees the message, and the rules engine can look
back at past flows that a new designation now touches. Large deltas are split into
parts of at most ``PART_SIZE`` addresses so that no message exceeds a broker's size
limit (Kafka's default is 1 MB); ``part``/``parts`` let a consumer know it has them all.

Consumers read a message with :func:`parse_update`, which refuses anything the producer
cannot have written (not JSON, not an object, an unknown ``type``, a missing or mistyped
field, a date that does not exist) with a :class:`~txmon.errors.BadRecord` naming the
field: the consumer dead-letters it and the stream goes on.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as _ValidationError

from enrich.tagversions import Delta
from txmon import wire
from txmon.bus.base import Producer
from txmon.errors import BadRecord
from txmon.transfer_schema import describe

PART_SIZE = 10_000
_Text = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class TagVersionMessage(BaseModel):
    """The schema of one ``tags.version`` message (what :func:`delta_messages` writes)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    type: Literal["tags.version"]
    source: _Text
    version: _Text
    previous: _Text | None = None
    published: Annotated[str, AfterValidator(dt.date.fromisoformat)]
    part: int = Field(default=1, ge=1)
    parts: int = Field(default=1, ge=1)
    added: list[_Text] = Field(default_factory=list, max_length=PART_SIZE)
    removed: list[_Text] = Field(default_factory=list, max_length=PART_SIZE)
    changed: list[_Text] = Field(default_factory=list, max_length=PART_SIZE)
    parties: dict[_Text, _Text] | None = None  # removed address → its party (delistings)
    names_changed: int = Field(default=0, ge=0)  # parties added/removed/changed: re-screen


def parse_update(raw: bytes) -> dict[str, Any]:
    """The message as a dict (as sent), or :class:`BadRecord` with the reason."""
    data = wire.loads(raw)
    if not isinstance(data, dict):
        raise BadRecord(f"not a tags.version message: a JSON {type(data).__name__}, "
                        "not an object")
    try:
        TagVersionMessage.model_validate(data)
    except (_ValidationError, ValueError) as exc:
        reason = describe(exc) if isinstance(exc, _ValidationError) else str(exc)
        raise BadRecord(f"not a tags.version message: {reason}") from None
    return data


def delta_messages(delta: Delta) -> list[dict[str, Any]]:
    """The JSON messages announcing ``delta`` (one unless it is large)."""
    entries = [("added", a) for a in delta.added] + [("removed", a) for a in delta.removed]
    entries += [("changed", a) for a in delta.changed]
    chunks = [entries[i:i + PART_SIZE] for i in range(0, len(entries), PART_SIZE)] or [[]]
    messages: list[dict[str, Any]] = [
        {"type": "tags.version", "source": delta.source, "version": delta.version,
         "previous": delta.previous, "published": delta.published.isoformat(),
         "part": n, "parts": len(chunks),
         "added": [a for kind, a in chunk if kind == "added"],
         "removed": [a for kind, a in chunk if kind == "removed"],
         "changed": [a for kind, a in chunk if kind == "changed"]}
        for n, chunk in enumerate(chunks, 1)
    ]
    for message in messages:  # who was delisted, when the update knows (designations)
        if delta.names_changed:
            message["names_changed"] = delta.names_changed
        if parties := {a: delta.parties[a] for a in message["removed"] if a in delta.parties}:
            message["parties"] = parties
    return messages


def publish_delta(producer: Producer, topic: str, delta: Delta) -> None:
    """Send and flush (raises DeliveryError if the bus does not confirm)."""
    for message in delta_messages(delta):
        producer.send(topic, wire.dumps(message), key=delta.source.encode())
    producer.flush()
