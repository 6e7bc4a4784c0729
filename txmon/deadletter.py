"""Dead letters: a bad record goes to ``txmon.deadletter`` with its bytes and the reason.

Nothing is dropped silently: the original bytes travel unchanged in the message value,
and the coordinates (topic/partition/offset, or chain/block/tx) and the reason travel
in headers so an operator can find the source and replay the record after a fix.
"""

from __future__ import annotations

from collections.abc import Mapping

from txmon.bus.base import DEADLETTER, Message, Producer


class DeadLetters:
    """Routes bad records to the dead-letter topic and counts them."""

    def __init__(self, producer: Producer, topic: str = DEADLETTER) -> None:
        self._producer = producer
        self.topic = topic
        self.count = 0

    def send(self, original: bytes, reason: str, where: Mapping[str, object]) -> None:
        """Queue one dead letter; the caller's next ``flush`` delivers it."""
        headers = [("reason", reason.encode())]
        headers += [(f"source.{k}", str(v).encode()) for k, v in where.items()]
        self._producer.send(self.topic, original, key=b"deadletter", headers=headers)
        self.count += 1

    def from_message(self, message: Message, reason: str) -> None:
        """Dead-letter a consumed message, naming its topic, partition and offset."""
        where = {"topic": message.topic, "partition": message.partition,
                 "offset": message.offset}
        self.send(message.value, reason, where)
