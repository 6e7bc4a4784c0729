"""Publish canonical transfers from an NDJSON file (the demo's and the backtest's source).

Each line is validated by decoding it as a transfer; a bad line is dead-lettered with
its line number rather than stopping the run or being dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from txmon.bus.base import Producer
from txmon.deadletter import DeadLetters
from txmon.errors import BadRecord
from txmon.wire import decode_transfer, encode_transfer


def publish_ndjson(lines: Iterable[bytes], producer: Producer, topic: str,
                   source_name: str = "ndjson") -> tuple[int, int]:
    """Send every valid transfer line to ``topic``; return (published, dead-lettered)."""
    dead = DeadLetters(producer)
    published = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            transfer = decode_transfer(line)
        except BadRecord as exc:
            dead.send(line, str(exc), {"file": source_name, "line": number})
            continue
        producer.send(topic, encode_transfer(transfer), key=transfer.chain.encode())
        published += 1
    producer.flush()
    return published, dead.count
