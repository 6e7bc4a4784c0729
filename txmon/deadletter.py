"""Dead letters: a bad record goes to ``txmon.deadletter`` with the reason, bounded in size.

Nothing is dropped silently, and no dead letter can itself become a poison message:

* the **value** is the original bytes unchanged — or, when the original is larger than
  ``inline_limit`` (below the producer's 1 MB request limit), a small JSON pointer
  ``{"pointer": {topic, partition, offset}, "sha256", "size"}`` to the record, which is
  still on its source topic;
* the **headers** are small by construction: ``reason`` (truncated to ``REASON_LIMIT``
  characters), ``sha256`` and ``size`` of the original, ``original`` (``inline`` or
  ``pointer``), ``stage`` (which consumer gave up on it) and the coordinates
  (``source.topic``/``source.partition``/``source.offset``, or chain/block/tx), each value
  cut to ``HEADER_LIMIT`` bytes. A value is never copied into a header.

If the bus refuses even the bounded letter at ``send``, a pointer-only letter is tried;
if that fails too, the record's coordinates, digest and reason are logged at ERROR and
counted (``txmon_dead_letter_failures_total``) — the consumer goes on rather than
crash-looping on a record it has already given up on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping

import orjson

from txmon import metrics
from txmon.bus.base import DEADLETTER, Message, Producer
from txmon.errors import TxmonError

log = logging.getLogger(__name__)
REASON_LIMIT = 1000  # characters of the reason kept in the header
HEADER_LIMIT = 256  # bytes of each coordinate header
INLINE_LIMIT = 900_000  # bytes: larger originals travel as a pointer (producer limit: 1 MB)


def truncate(text: str, limit: int = REASON_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


class DeadLetters:
    """Routes bad records to the dead-letter topic and counts them."""

    def __init__(self, producer: Producer, topic: str = DEADLETTER, stage: str = "",
                 inline_limit: int = INLINE_LIMIT) -> None:
        self._producer = producer
        self.topic = topic
        self.stage = stage
        self.inline_limit = inline_limit
        self.count = 0

    def send(self, original: bytes, reason: str, where: Mapping[str, object],
             extra: Mapping[str, str] | None = None) -> None:
        """Queue one dead letter; the caller's next ``flush`` delivers it."""
        digest = hashlib.sha256(original).hexdigest()
        headers = [("reason", truncate(reason).encode()), ("sha256", digest.encode()),
                   ("size", str(len(original)).encode())]
        if self.stage:
            headers.append(("stage", self.stage.encode()))
        headers += [(k, _cut(v)) for k, v in (extra or {}).items()]
        headers += [(f"source.{k}", _cut(v)) for k, v in where.items()]
        self.count += 1
        if len(original) <= self.inline_limit:
            try:
                self._producer.send(self.topic, original, key=b"deadletter",
                                    headers=[*headers, ("original", b"inline")])
                return
            except TxmonError as exc:  # refused at send: fall back to the pointer
                log.warning("dead letter refused (%s); sending a pointer instead", exc)
        pointer = orjson.dumps({"pointer": {k: str(v) for k, v in where.items()},
                                "sha256": digest, "size": len(original)})
        try:
            self._producer.send(self.topic, pointer, key=b"deadletter",
                                headers=[*headers, ("original", b"pointer")])
        except TxmonError as exc:
            metrics.DEAD_LETTER_FAILURES.labels(self.stage or "unknown").inc()
            log.error("dead letter not sent (%s): record %s sha256 %s size %d: %s", exc,
                      dict(where), digest, len(original), truncate(reason, 200))

    def from_message(self, message: Message, reason: str,
                     extra: Mapping[str, str] | None = None) -> None:
        """Dead-letter a consumed message, naming its topic, partition and offset."""
        where = {"topic": message.topic, "partition": message.partition,
                 "offset": message.offset}
        self.send(message.value, reason, where, extra)


def _cut(value: object) -> bytes:
    return str(value).encode()[:HEADER_LIMIT]
