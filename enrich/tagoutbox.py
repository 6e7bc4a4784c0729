"""Transactional outbox for list-update deltas: a delta is never lost between store and bus.

A load flips ``tags:head`` and must announce the delta on ``txmon.tags.updates``. Doing
the two one after the other loses the delta for good if the publish fails or the process
dies in between: the head already points at the new version, so re-running the same load
computes an empty delta and no retroactive scan ever runs for that version. So the delta
is written under ``tags:outbox:<version>`` in the same ``put_many`` that flips the head,
published from there, and its key deleted only after ``producer.flush()`` confirmed
delivery. Whatever is left over (failed flush, crash) is published again by
:func:`publish_pending` — at the start of the next load and at engine start.

Delivery is at least once: a crash after the flush but before the delete publishes the
delta again. Consumers tolerate that (retroactive alert ids are deterministic and the
alert store de-duplicates; an index refresh is idempotent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from enrich.tagupdates import publish_delta
from enrich.tagversions import Delta
from txmon import wire
from txmon.bus.base import Producer
from txmon.store.base import Store

OUTBOX = "tags:outbox:"


def outbox_item(delta: Delta, seq: int) -> tuple[str, bytes]:
    """Key and value staging ``delta``; ``seq`` is the head flip's, to publish in order."""
    body = {"seq": seq, "source": delta.source, "version": delta.version,
            "previous": delta.previous, "published": delta.published.isoformat(),
            "added": list(delta.added), "removed": list(delta.removed),
            "changed": list(delta.changed), "parties": delta.parties,
            "names_changed": delta.names_changed}
    return f"{OUTBOX}{delta.version}", wire.dumps(body)


def _from_wire(data: dict[str, Any]) -> Delta:
    return Delta(str(data["source"]), str(data["version"]), data["previous"],
                 dt.date.fromisoformat(data["published"]), tuple(data["added"]),
                 tuple(data["removed"]), tuple(data["changed"]), dict(data.get("parties") or {}),
                 int(data.get("names_changed") or 0))


def publish_pending(store: Store, producer: Producer, topic: str) -> int:
    """Publish every staged delta in head-flip order, deleting each once delivered.

    Raises DeliveryError (the entry stays staged) if the bus does not confirm; returns
    how many deltas were published.
    """
    staged = sorted(((wire.loads(raw), key) for key, raw in store.scan(OUTBOX)),
                    key=lambda item: int(item[0]["seq"]))
    for data, key in staged:
        publish_delta(producer, topic, _from_wire(data))  # flushes; raises if undelivered
        store.delete(key)
    return len(staged)
