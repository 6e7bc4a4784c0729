"""Where the data shipped with txmon lives: the ``seeds/`` and ``schemas/`` folders.

They sit at the top of the source tree (the design fixes that layout). An installed wheel
has no source tree, so ``setup.py`` maps the two folders into it as the data-only packages
``txmon_seeds`` and ``txmon_schemas``. A source checkout wins over an installed copy, so a
worktree run with ``PYTHONPATH`` reads its own files, not those of another editable install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
# folder -> (package it becomes in a wheel, a file that proves it is really ours)
_FOLDERS = {
    "seeds": ("txmon_seeds", "manifest.yaml"),
    "schemas": ("txmon_schemas", "exchange-events.v1.json"),
}


def shipped_dir(folder: str) -> Path:
    """The ``seeds`` or ``schemas`` folder: the checkout's, else the installed package's."""
    package, marker = _FOLDERS[folder]
    candidates = [_CHECKOUT / folder]
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations is not None:
        candidates += [Path(location) for location in spec.submodule_search_locations]
    for candidate in candidates:
        if (candidate / marker).is_file():
            return candidate
    return candidates[0]  # not raised here (import time): the first read names the path
