"""Graceful shutdown for long-running commands.

SIGTERM (docker stop, systemd) and SIGINT (Ctrl-C) set an event that the command's loop
checks between batches, so a batch that was started is delivered, committed or
checkpointed before the process exits instead of being cut in half.
"""

from __future__ import annotations

import signal
import threading


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM or SIGINT sets; loops exit when it is set."""
    stop = threading.Event()

    def request_stop(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop
