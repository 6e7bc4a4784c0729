"""Which tags a rule (or the exposure source set) counts: kind, category, source, program."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TagFilter:
    """Which tags make an address a hit for a rule (all given fields must match)."""

    kind: str | None = None
    categories: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    programs: frozenset[str] = frozenset()

    def accepts(self, kind: str, category: str, source: str, programs: tuple[str, ...]) -> bool:
        return (
            (self.kind is None or kind == self.kind)
            and (not self.categories or category in self.categories)
            and (not self.sources or source in self.sources)
            and (not self.programs or not self.programs.isdisjoint(programs))
        )
