"""What the exposure tracker concluded about one transfer (CEL variable ``exposure``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules.exposure.state import Hop


@dataclass(frozen=True, slots=True)
class Exposure:
    """Taint carried by one transfer.

    ``hops``: transfers between a source and this transfer's receivers, this one included
    (1 = paid directly by a source). ``share_ppm``: tainted share of the value the inputs
    sent; ``max_share_ppm``: the highest tainted share among the sending addresses.
    ``path``: the shortest route from a source, ending with this transfer's largest
    tainted output.
    """

    model: str
    tainted: int = 0
    total: int = 0
    share_ppm: int = 0
    max_share_ppm: int = 0
    hops: int = 0
    sources: tuple[str, ...] = ()
    path: tuple[Hop, ...] = ()

    @property
    def is_tainted(self) -> bool:
        return self.tainted > 0

    def to_wire(self) -> dict[str, Any]:
        """Evidence form (amounts as decimal strings); also what is stored per transfer."""
        return {"model": self.model, "tainted": str(self.tainted), "total": str(self.total),
                "share_ppm": self.share_ppm, "max_share_ppm": self.max_share_ppm,
                "hops": self.hops, "sources": list(self.sources),
                "path": [h.to_wire() for h in self.path]}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Exposure:
        return cls(data["model"], int(data["tainted"]), int(data["total"]),
                   int(data["share_ppm"]), int(data["max_share_ppm"]), int(data["hops"]),
                   tuple(data["sources"]), tuple(Hop.from_wire(h) for h in data["path"]))

    def to_activation(self, to_micro: Any) -> dict[str, Any]:
        """CEL view: integers only (``to_micro`` turns base units into micro-units)."""
        return {"tainted": self.is_tainted, "model": self.model,
                "share_ppm": self.share_ppm, "max_share_ppm": self.max_share_ppm,
                "hops": self.hops, "sources": list(self.sources),
                "tainted_units_micro": to_micro(self.tainted)}
