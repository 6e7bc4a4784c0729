"""Lay out a flow graph left to right by hop and draw it as SVG, in Python.

Why by hand rather than a JS graph library (dagre, Cytoscape.js): the graphs an alert
carries are small (a path of at most the rulebook's hop limit, a few dozen nodes when
neighbours are added), and a layered layout of a small DAG is a few lines: layer =
longest distance from a source (dagre's rank step), order within a layer by the mean
position of the predecessors (one barycentre sweep, dagre's ordering heuristic). Drawing
on the server gives the same SVG to the page, to the download (export is free) and to a
case report, with no JavaScript and nothing to fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from alerts.flow import PPM, Flow
from txmon.cli.output import format_units

NODE_W, NODE_H = 232, 78
GAP_X, GAP_Y = 190, 34
PAD = 24
ROLE_FILL = {"source": "#fde8e8", "intermediary": "#fff6e0", "subject": "#e6effc",
             "neighbour": "#f2f4f7"}
ROLE_STROKE = {"source": "#b42318", "intermediary": "#b54708", "subject": "#1849a9",
               "neighbour": "#475467"}


@dataclass(frozen=True, slots=True)
class Placed:
    x: int
    y: int


def layout(flow: Flow) -> dict[str, Placed]:
    """Node address → top-left corner."""
    preds: dict[str, list[str]] = {n.address: [] for n in flow.nodes}
    for edge in flow.edges:
        if edge.source != edge.target:
            preds.setdefault(edge.target, []).append(edge.source)
    rank: dict[str, int] = {}

    def rank_of(address: str, seen: frozenset[str] = frozenset()) -> int:
        if address not in rank:
            before = [p for p in preds.get(address, []) if p not in seen]
            rank[address] = 1 + max((rank_of(p, seen | {address}) for p in before),
                                    default=-1)
        return rank[address]

    layers: dict[int, list[str]] = {}
    for node in flow.nodes:
        layers.setdefault(rank_of(node.address), []).append(node.address)
    placed: dict[str, Placed] = {}
    for r in sorted(layers):
        members = layers[r]
        if r > 0:  # barycentre of the predecessors' rows
            members.sort(key=lambda a: sum(placed[p].y for p in preds.get(a, []) if p in placed)
                         / max(1, len([p for p in preds.get(a, []) if p in placed])))
        for row, address in enumerate(members):
            placed[address] = Placed(PAD + r * (NODE_W + GAP_X), PAD + row * (NODE_H + GAP_Y))
    return placed


def _short(address: str) -> str:
    return address if len(address) <= 20 else f"{address[:10]}…{address[-8:]}"


def _units(flow: Flow, amount: int) -> str:
    if flow.decimals is None:
        return f"{amount} base units"
    return f"{format_units(amount, flow.decimals)} {flow.asset}"


def render_svg(flow: Flow, title: str = "") -> str:
    """A standalone SVG document (also inlined into the page)."""
    placed = layout(flow)
    neighbours = {n.address for n in flow.nodes if n.role == "neighbour"}
    width = max((p.x for p in placed.values()), default=0) + NODE_W + PAD
    height = max((p.y for p in placed.values()), default=0) + NODE_H + PAD + 16
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">',
           f"<title>{escape(title or f'Flow of alert {flow.alert_id}')}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
           'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#475467"/></marker></defs>',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    for edge in flow.edges:
        if edge.source == edge.target or edge.source not in placed:
            continue
        a, b = placed[edge.source], placed[edge.target]
        x1, y1 = a.x + NODE_W, a.y + NODE_H // 2
        x2, y2 = b.x, b.y + NODE_H // 2
        mid = (x1 + x2) // 2
        dash = "" if edge.tainted or (edge.source not in neighbours
                                      and edge.target not in neighbours) \
            else ' stroke-dasharray="5 4"'
        out.append(f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" fill="none" '
                   f'stroke="#475467" stroke-width="1.6"{dash} marker-end="url(#arrow)"/>')
        share = edge.tainted * 100 / edge.amount if edge.amount else 0
        when = edge.time.replace("T", " ").replace("Z", " UTC") if edge.time else "time n/a"
        on_path = edge.tainted > 0 or edge.target not in neighbours
        labels = [(-24, _units(flow, edge.amount), ' font-weight="600"'),
                  (-9, f"tainted {share:.0f} %" if on_path else "neighbour", ""),
                  (17, when, ' font-size="10.5"')]
        for dy, line, attrs in labels:
            out.append(f'<text x="{mid}" y="{(y1 + y2) // 2 + dy}" text-anchor="middle" '
                       f'fill="#1d2939"{attrs}>{escape(line)}</text>')
    for node in flow.nodes:
        p = placed[node.address]
        fill, stroke = ROLE_FILL[node.role], ROLE_STROKE[node.role]
        out.append(f'<g class="node" data-address="{escape(node.address)}">'
                   f'<title>{escape(node.address)}</title>'
                   f'<rect x="{p.x}" y="{p.y}" width="{NODE_W}" height="{NODE_H}" rx="6" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
        role = {"source": "SANCTIONED SOURCE", "intermediary": f"HOP {node.layer}",
                "subject": "ALERTED ADDRESS", "neighbour": "NEIGHBOUR"}[node.role]
        label = node.labels[0] if node.labels else (f"account {node.account}"
                                                    if node.account else "")
        rows = [(role, ' font-size="10" font-weight="700" letter-spacing="0.5"', stroke),
                (_short(node.address), ' font-family="DejaVu Sans Mono, monospace"', "#101828"),
                (f"taint share {node.share_ppm * 100 / PPM:.1f} %" if node.role != "neighbour"
                 else "not on the traced path", "", "#344054")]
        if label:
            rows.append((label[:34], ' font-style="italic"', "#344054"))
        for n, (text, attrs, colour) in enumerate(rows):
            out.append(f'<text x="{p.x + 10}" y="{p.y + 17 + n * 16}" fill="{colour}"{attrs}>'
                       f"{escape(text)}</text>")
        out.append("</g>")
    out.append(f'<text x="{PAD}" y="{height - 8}" fill="#475467" font-size="11">'
               f"{escape(f'taint model: {flow.model} · alert {flow.alert_id}')}</text>")
    out.append("</svg>")
    return "\n".join(out)
