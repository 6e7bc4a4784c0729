"""Fetch a block range concurrently, hand the blocks back in order.

Replay speed comes from keeping the node busy: several chunks are in flight on a thread
pool (the work is I/O and JSON parsing in C), while the caller consumes finished chunks
strictly in block order. At most ``depth`` chunks wait in memory, so a slow bus applies
back-pressure instead of letting the range pile up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from ingest.source import Block

Fetch = Callable[[Sequence[int]], list[Block]]


def chunks(first: int, last: int, size: int) -> Iterator[list[int]]:
    """``[first..last]`` in consecutive chunks of ``size`` numbers."""
    for start in range(first, last + 1, size):
        yield list(range(start, min(start + size, last + 1)))


def fetch_in_order(
    pool: ThreadPoolExecutor, fetch: Fetch, parts: Iterator[list[int]], depth: int
) -> Iterator[list[Block]]:
    """Each chunk's blocks, in chunk order, with up to ``depth`` chunks fetched ahead."""
    pending: deque[Future[list[Block]]] = deque()
    try:
        for part in parts:
            pending.append(pool.submit(fetch, part))
            if len(pending) >= depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:  # the consumer stopped early (error or enough): cancel the rest
            future.cancel()
