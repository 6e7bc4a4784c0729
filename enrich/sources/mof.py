"""Japan Ministry of Finance list (経済制裁措置及び対象者リスト): not obtainable here.

MOF publishes its list as XLSX on its website; no copy could be obtained for this
project, so its layout could not be verified and no parser is guessed. Adding it is a
small loader returning the same :class:`~enrich.sources.base.LoadedList` (source
``jp-mof``); see docs/tags.md. Until then this loader refuses loudly instead of loading
nothing, so that nobody believes they screen against MOF when they do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from enrich.sources.base import LoadedList
from txmon.errors import NotBuiltYet


class MofSource:
    """Placeholder loader for Japan MOF's list."""

    format = "mof"
    source = "jp-mof"

    def load(self, paths: Sequence[Path]) -> LoadedList:
        raise NotBuiltYet("Japan MOF list: no copy of its XLSX was obtainable to build a "
                          "parser against; see docs/tags.md (\"Japan MOF\")")
