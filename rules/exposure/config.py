"""The rulebook's ``exposure:`` section: which taint model, how far, from which tags."""

from __future__ import annotations

from dataclasses import dataclass, field

from rules.tagfilter import TagFilter

PPM = 1_000_000  # shares are integer parts per million: exact, and CEL-friendly (int64)
MODELS = ("poison", "haircut", "fifo")


@dataclass(frozen=True, slots=True)
class ExposureConfig:
    """How taint propagates.

    ``min_share_ppm``: an address passes taint on only while its tainted share is at least
    this (haircut/FIFO dilute; below the floor a trace is noise, not evidence).
    ``max_hops``: taint stops after this many transfers from a source address.
    ``source``: which tags make an address a taint source (default: any sanction).
    """

    model: str = "haircut"
    max_hops: int = 3
    min_share_ppm: int = 10_000
    source: TagFilter = field(default_factory=lambda: TagFilter(kind="sanction"))
