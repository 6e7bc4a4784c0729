"""Reload the rulebook without a restart: re-read the file when its mtime changes.

Polled by the engine once per batch (one ``stat``), so a change applies at a batch
boundary — never half-way through one. A file that no longer validates or type-checks
(:mod:`rules.typecheck`) is refused with the error in the log and the running rulebook
stays in force: a typo must not switch monitoring off.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rules.rulebook import Rulebook, load_rulebook
from rules.typecheck import check_rulebook
from txmon.errors import RulebookError

log = logging.getLogger(__name__)


class RulebookWatcher:
    """Remembers the file's mtime and returns a new, valid rulebook when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = self._stat()

    def _stat(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def poll(self) -> Rulebook | None:
        """The reloaded rulebook if the file changed and validates, else None."""
        mtime = self._stat()
        if mtime is None or mtime == self._mtime:
            return None
        self._mtime = mtime
        try:
            rulebook = load_rulebook(self.path)
            errors = check_rulebook(rulebook)
            if errors:
                raise RulebookError("; ".join(errors))
        except RulebookError as exc:
            log.error("rulebook change refused, keeping the running one: %s", exc)
            return None
        log.info("rulebook reloaded: %s version %s", self.path, rulebook.version)
        return rulebook
