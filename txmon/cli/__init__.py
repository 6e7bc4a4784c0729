"""``txmon`` command line: the fixed contract of ../DESIGN.md, as Unix-style filters.

Data goes to stdout (one JSON object per line with ``--json``), progress and logs to
stderr. Global options map one-to-one onto :class:`txmon.settings.Settings`.
"""

from __future__ import annotations

from txmon.cli.main import main

__all__ = ["main"]
