"""cel-python's parser, built once per machine instead of once per process.

cel-python builds its Lark LALR parser from the CEL grammar when the first
``celpy.Environment`` is made: ~1 s of table construction, paid by every ``txmon``
command at start-up (``txmon screen ADDRESS`` took 2.4 s, most of it this and the name
index). Lark can keep the built tables in a cache file keyed by a hash of the grammar,
the options and Lark's version; we hand celpy a parser made with the same arguments as
its own (``celpy.celparser.CELParser``) plus that cache, in the user's cache directory
(``$XDG_CACHE_HOME`` or ``~/.cache``; never a shared temporary directory, since the file
is a pickle). Anything unexpected (a celpy that builds its parser differently, an
unwritable directory) falls back to celpy's own construction: slower, never wrong.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "txmon"


def prime_cel_parser() -> bool:
    """Install a cached Lark parser as celpy's; False when celpy builds its own."""
    try:
        import celpy.celparser
        import lark
        from celpy.celparser import CELParser

        if CELParser.CEL_PARSER is not None:
            return True
        grammar = (Path(celpy.celparser.__file__).parent / "cel.lark").read_text()
        where = cache_dir()
        where.mkdir(parents=True, exist_ok=True)
        CELParser.CEL_PARSER = lark.Lark(
            grammar,
            parser="lalr",
            start="expr",
            debug=True,
            g_regex_flags=re.M,
            lexer_callbacks={"IDENT": CELParser.ambiguous_literals},
            propagate_positions=True,
            maybe_placeholders=False,
            priority="invert",
            tree_class=lark.Tree,
            cache=str(where / f"cel-lark-{lark.__version__}.cache"),
        )
    except Exception as exc:  # noqa: BLE001 - an optimisation must never stop start-up
        log.debug("CEL parser cache not used: %r", exc)
        return False
    return True
