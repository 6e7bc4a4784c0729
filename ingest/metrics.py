"""Plain counters of a follower's progress, for logs, ``/metrics`` and a liveness check.

Kept dependency-free on purpose: the CLI wires them to Prometheus gauges (or prints
them); a liveness probe should fail when ``last_progress`` stops moving while the node's
head moves, not only when the process dies.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(slots=True)
class FollowerMetrics:
    """Updated by the follower after every delivered batch (single writer)."""

    blocks: int = 0  # blocks whose transfers were delivered
    transfers: int = 0  # confirmed transfers delivered
    retracted: int = 0  # retracted copies delivered after reorgs
    dead_letters: int = 0  # rejected items sent to the dead-letter topic
    reorgs: int = 0
    last_block: int | None = None  # the checkpoint
    head: int | None = None  # the node's head at the last poll
    last_progress: float | None = None  # wall-clock time of the last checkpoint move

    def lag(self) -> int | None:
        """Blocks between the node's head and the checkpoint."""
        if self.head is None or self.last_block is None:
            return None
        return self.head - self.last_block

    def progressed(self, last_block: int) -> None:
        self.last_block = last_block
        self.last_progress = time.time()
