"""Publishing a new list version's delta on ``txmon.tags.updates``.

Every worker swaps its index when it sees the message, and the rules engine can look
back at past flows that a new designation now touches. Large deltas are split into
parts of at most ``PART_SIZE`` addresses so that no message exceeds a broker's size
limit (Kafka's default is 1 MB); ``part``/``parts`` let a consumer know it has them all.
"""

from __future__ import annotations

from typing import Any

from enrich.tagversions import Delta
from txmon import wire
from txmon.bus.base import Producer

PART_SIZE = 10_000


def delta_messages(delta: Delta) -> list[dict[str, Any]]:
    """The JSON messages announcing ``delta`` (one unless it is large)."""
    entries = [("added", a) for a in delta.added] + [("removed", a) for a in delta.removed]
    entries += [("changed", a) for a in delta.changed]
    chunks = [entries[i:i + PART_SIZE] for i in range(0, len(entries), PART_SIZE)] or [[]]
    messages = [
        {"type": "tags.version", "source": delta.source, "version": delta.version,
         "previous": delta.previous, "published": delta.published.isoformat(),
         "part": n, "parts": len(chunks),
         "added": [a for kind, a in chunk if kind == "added"],
         "removed": [a for kind, a in chunk if kind == "removed"],
         "changed": [a for kind, a in chunk if kind == "changed"]}
        for n, chunk in enumerate(chunks, 1)
    ]
    for message in messages:  # who was delisted, when the update knows (designations)
        if parties := {a: delta.parties[a] for a in message["removed"] if a in delta.parties}:
            message["parties"] = parties
    return messages


def publish_delta(producer: Producer, topic: str, delta: Delta) -> None:
    """Send and flush (raises DeliveryError if the bus does not confirm)."""
    for message in delta_messages(delta):
        producer.send(topic, wire.dumps(message), key=delta.source.encode())
    producer.flush()
