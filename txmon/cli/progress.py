"""A progress bar for a long stdin on stderr (``txmon screen --batch``).

On a terminal it redraws one line (``\\r``) at most ten times a second; asked for with
``--progress`` on a pipe or log file it writes a plain line every few seconds instead, so
a log is not flooded with carriage returns. When stdin is a regular file its size is
known and the bar shows a share of the bytes read; on a pipe it shows counts only.
"""

from __future__ import annotations

import os
import stat
import time
from typing import TextIO

WIDTH = 30


class Progress:
    """Counts lines and bytes read, errors seen; draws on ``out`` when ``enabled``."""

    def __init__(self, out: TextIO, enabled: bool, total_bytes: int | None = None) -> None:
        self.out, self.enabled, self.total = out, enabled, total_bytes
        self.tty = out.isatty()
        self.lines = self.errors = self.bytes = 0
        self.started = self._drawn = time.monotonic()

    def step(self, size: int, ok: bool) -> None:
        self.lines += 1
        self.bytes += size
        self.errors += 0 if ok else 1
        now = time.monotonic()
        if self.enabled and now - self._drawn >= (0.1 if self.tty else 5.0):
            self._drawn = now
            self._draw(end="\r" if self.tty else "\n")

    def done(self) -> None:
        if self.enabled:
            self._draw(end="\n")

    def _draw(self, end: str) -> None:
        rate = self.lines / max(1e-9, time.monotonic() - self.started)
        bar = ""
        if self.total:
            share = min(1.0, self.bytes / self.total)
            filled = int(share * WIDTH)
            bar = f"[{'#' * filled}{'-' * (WIDTH - filled)}] {share:6.1%} "
        self.out.write(f"{bar}{self.lines:,} lines, {self.errors:,} errors, "
                       f"{rate:,.0f} lines/s{end}")
        self.out.flush()


def regular_file_size(fileno: int) -> int | None:
    """Size of the file behind ``fileno`` when it is a regular file (None for a pipe)."""
    try:
        info = os.fstat(fileno)
    except (OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None
