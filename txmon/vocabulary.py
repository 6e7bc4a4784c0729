"""The tag vocabulary: kinds, categories, sources and per-source category maps, as data.

Read from ``seeds/vocabulary.yaml`` (versioned, shipped with the product). Three readers:
list loaders map a list's own terms through :meth:`Vocabulary.category_of`, screening
reads which categories are risky, and the rulebook loader refuses a ``match`` that names
a kind, category or source the vocabulary does not have (:meth:`Vocabulary.unknown`) —
CEL and YAML would accept ``kind: sanctions``, and the rule would silently match nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from txmon.errors import ConfigError
from txmon.shipped import shipped_dir

FILE = "vocabulary.yaml"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One version of the vocabulary file."""

    version: str
    kinds: frozenset[str]
    categories: frozenset[str]
    risky: frozenset[str]  # categories screening reviews
    sources: frozenset[str]
    maps: dict[str, dict[str, str]]  # source -> its own term -> our category
    exchanges: dict[str, frozenset[str]]  # source -> its terms that name an exchange

    def category_of(self, source: str, term: str) -> str:
        """Our category for ``source``'s ``term`` (a term with no mapping is kept)."""
        if term in self.exchanges.get(source, ()):
            return "exchange"
        return self.maps.get(source, {}).get(term, term)

    def risky_terms(self) -> frozenset[str]:
        """Risky categories plus every source term mapped onto one (tags stored raw)."""
        raw = {t for m in self.maps.values() for t, c in m.items() if c in self.risky}
        return self.risky | raw

    def unknown(self, field: str, values: Iterable[str]) -> str | None:
        """An error for the ``values`` of ``field`` (kind, category, source) not defined."""
        known = {"kind": self.kinds, "category": self.categories, "source": self.sources}[field]
        missing = sorted(set(values) - known)
        if not missing:
            return None
        return (f"unknown {field} {', '.join(map(repr, missing))} (tag vocabulary "
                f"{self.version}: {', '.join(sorted(known))})")


def parse(data: Any, where: str) -> Vocabulary:
    """A :class:`Vocabulary` from the YAML mapping; ConfigError naming ``where`` if malformed."""
    try:
        categories: dict[str, Any] = data["categories"]
        sources: dict[str, Any] = data["sources"]
        return Vocabulary(
            version=str(data["version"]),
            kinds=frozenset(data["kinds"]),
            categories=frozenset(categories),
            risky=frozenset(c for c, spec in categories.items() if (spec or {}).get("risky")),
            sources=frozenset(sources),
            maps={s: dict((spec or {}).get("categories", {})) for s, spec in sources.items()},
            exchanges={s: frozenset((spec or {}).get("exchanges", ()))
                       for s, spec in sources.items()})
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{where}: not a tag vocabulary ({exc!r})") from exc


def load(path: Path) -> Vocabulary:
    """The vocabulary in ``path``."""
    return parse(yaml.safe_load(path.read_text("utf-8")), str(path))


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (read once per process)."""
    return load(shipped_dir("seeds") / FILE)
