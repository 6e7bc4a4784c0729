"""Where a benchmark's figures go: ``bench/results/<name>.json`` plus stdout.

Every result records the interpreter, the core count and the UTC time of the run, so a
figure can be read against the machine that produced it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def write_result(name: str, result: dict[str, Any]) -> None:
    """Add the machine facts to ``result``, write it to results/``name`` and print it."""
    result = {**result, "python": platform.python_version(), "cpu_count": os.cpu_count(),
              "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(result, indent=2)
    (RESULTS / name).write_text(text + "\n")
    print(text)
