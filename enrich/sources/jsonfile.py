"""Reading a JSON list file with an error that names the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from txmon.errors import ListFormatError


def read(path: Path) -> Any:
    """Parsed content of ``path``; raises ListFormatError (file, line, reason) if not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ListFormatError(str(path), f"not JSON: {exc.msg}", exc.lineno) from exc
