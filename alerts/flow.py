"""The flow behind an alert as a graph: from the sanctioned source, hop by hop, to the
address the alert is about — the data the console draws and exports.

Nodes are addresses, edges the transfers of the alert's exposure path (rules/exposure:
``evidence.exposure.path``) with their amounts and tainted amounts; the block time of
each hop comes from the stored transfer history (rules/history.py) when it still holds
the transfer. Each node's taint share is the tainted part of what reached it on the path
(per the rulebook's taint model, named in ``model``), the source's is 100 %. A direct
alert (no path) is drawn as its matched address and the transfer's other side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from rules.history import TransferHistory
from txmon.models import Alert

PPM = 1_000_000


@dataclass(slots=True)
class Node:
    address: str
    layer: int
    role: str  # source | intermediary | subject (the address the alert is about)
    share_ppm: int
    labels: list[str] = field(default_factory=list)  # tag entities / exchange account
    account: str = ""


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    amount: int
    tainted: int
    transfer_id: str
    time: str  # block time (ISO 8601 UTC), "" when the history no longer has it


@dataclass(slots=True)
class Flow:
    alert_id: str
    model: str
    asset: str
    decimals: int | None
    nodes: list[Node]
    edges: list[Edge]

    def to_wire(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "model": self.model, "asset": self.asset,
                "decimals": self.decimals,
                "nodes": [{"address": n.address, "layer": n.layer, "role": n.role,
                           "share_ppm": n.share_ppm, "labels": n.labels, "account": n.account}
                          for n in self.nodes],
                "edges": [{"from": e.source, "to": e.target, "amount": str(e.amount),
                           "tainted": str(e.tainted), "transfer_id": e.transfer_id,
                           "time": e.time} for e in self.edges]}


def _labels(alert: Alert) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for match in cast("list[dict[str, Any]]", alert.evidence.get("matches") or []):
        for tag in match.get("tags") or []:
            label = f"{tag['entity']} ({tag['source']})"
            out.setdefault(match["address"], [])
            if label not in out[match["address"]]:
                out[match["address"]].append(label)
    return out


def build_flow(alert: Alert, history: TransferHistory | None,
               source_labels: dict[str, list[str]] | None = None) -> Flow:
    """The graph of ``alert``'s exposure path (or its direct match)."""
    exposure: Any = alert.evidence.get("exposure") or {}
    accounts: Any = alert.evidence.get("accounts") or {}
    labels = {**(source_labels or {}), **_labels(alert)}
    decimals = alert.evidence.get("asset_decimals")
    path = list(exposure.get("path") or [])
    edges: list[Edge] = []
    for hop in path:
        found = history.find(hop["transfer_id"]) if history is not None else None
        when = found.block_time.strftime("%Y-%m-%dT%H:%M:%SZ") if found and found.block_time \
            else ""
        edges.append(Edge(hop["from"], hop["to"], int(hop["amount"]), int(hop["tainted"]),
                          hop["transfer_id"], when))
    if not edges:  # a direct alert: the matched address and the transfer's other side
        edges = _direct_edges(alert, history)
    nodes: dict[str, Node] = {}
    for n, edge in enumerate(edges):
        if edge.source not in nodes:
            nodes[edge.source] = Node(edge.source, n, "source" if n == 0 else "intermediary",
                                      PPM if n == 0 else 0)
        share = edge.tainted * PPM // edge.amount if edge.amount else 0
        nodes[edge.target] = Node(edge.target, n + 1, "intermediary", share)
    if edges:
        nodes[edges[-1].target].role = "subject"
    for node in nodes.values():
        node.labels = labels.get(node.address, [])
        node.account = str(accounts.get(node.address, "")) if isinstance(accounts, dict) else ""
    return Flow(alert.id, str(exposure.get("model", "direct")), alert.asset,
                decimals if isinstance(decimals, int) else None, list(nodes.values()), edges)


def _direct_edges(alert: Alert, history: TransferHistory | None) -> list[Edge]:
    transfer = history.find(alert.transfer_id) if history is not None else None
    when = transfer.block_time.strftime("%Y-%m-%dT%H:%M:%SZ") \
        if transfer and transfer.block_time else ""
    matched = {m["address"]: m.get("side", "input")
               for m in cast("list[dict[str, Any]]", alert.evidence.get("matches") or [])}
    if transfer is None:
        return [Edge(a, a, alert.amount, alert.amount, alert.transfer_id, when)
                for a in list(matched)[:1]]
    edges = []
    for leg_in in transfer.inputs:
        for leg_out in transfer.outputs:
            if leg_in.address in matched or leg_out.address in matched:
                tainted = leg_out.amount if leg_in.address in matched else 0
                edges.append(Edge(leg_in.address, leg_out.address, leg_out.amount,
                                  tainted, transfer.id, when))
    return edges[:1]


@dataclass(frozen=True, slots=True)
class Window:
    """Which neighbouring transfers an expansion adds: a block-time window and a floor."""

    since: str = ""  # ISO date, inclusive
    until: str = ""  # ISO date, inclusive
    min_amount: int = 0  # base units

    def admits(self, when: str, amount: int) -> bool:
        day = when[:10]
        return (amount >= self.min_amount and (not self.since or (day and day >= self.since))
                and (not self.until or (day and day <= self.until))) is True


MAX_NEIGHBOUR_EDGES = 60  # per expanded address: a busy address would drown the path


def expand(flow: Flow, history: TransferHistory, addresses: list[str],
           window: Window = Window()) -> Flow:
    """Add the stored transfers touching ``addresses`` (same asset) as neighbour edges.

    The neighbours come from the transfer history (rules/history.py), so they are what the
    engine saw, not a chain query; they carry no taint share (they are not on the traced
    path), only amount and time.
    """
    nodes = {n.address: n for n in flow.nodes}
    edges = list(flow.edges)
    known = {(e.transfer_id, e.source, e.target) for e in edges}
    for address in addresses:
        if address not in nodes:
            continue
        added = 0
        for transfer in history.touching([address]):
            if transfer.asset.symbol != flow.asset:
                continue
            when = transfer.block_time.strftime("%Y-%m-%dT%H:%M:%SZ") \
                if transfer.block_time else ""
            for leg_in in transfer.inputs:
                for leg_out in transfer.outputs:
                    key = (transfer.id, leg_in.address, leg_out.address)
                    touches = address in (leg_in.address, leg_out.address)
                    if key in known or not touches or not window.admits(when, leg_out.amount):
                        continue
                    if added >= MAX_NEIGHBOUR_EDGES:
                        break
                    known.add(key)
                    added += 1
                    edges.append(Edge(leg_in.address, leg_out.address, leg_out.amount, 0,
                                      transfer.id, when))
                    for other in (leg_in.address, leg_out.address):
                        nodes.setdefault(other, Node(other, -1, "neighbour", 0))
    return Flow(flow.alert_id, flow.model, flow.asset, flow.decimals, list(nodes.values()),
                edges)
