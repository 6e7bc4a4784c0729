"""The flow graph of the demo's 3-hop alert: source → two intermediaries → alerted address,
with amounts, block times from the transfer history and taint shares; drawn as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from alerts.queue import AlertQueue, Filters
from screening.console.context import Console
from screening.console.graph import layout, render_svg
from screening.runtime import open_service
from tests.unit.console.conftest import THREE_HOPS
from txmon.app import App

SOURCE = "0x7f367cc41522ce07553e823bf3be79a889debe1b"


def _console(app: App) -> Console:
    return Console(open_service(app), app.alert_store, {})


def test_three_hop_flow(demo_app: App) -> None:
    row = next(r for r in AlertQueue(demo_app.store, demo_app.alert_store).page(Filters()).rows
               if r.id.startswith(THREE_HOPS))
    flow = _console(demo_app).flow(row.id)
    assert [(n.address, n.role, n.layer) for n in flow.nodes] == [
        (SOURCE, "source", 0),
        ("0x0a82e1e58167b5ec996653b2748daa9326d0f30d", "intermediary", 1),
        ("0x8633b6afef169eddd2ae17c5390c3918a34b63ab", "intermediary", 2),
        ("0x262a992c403428b0efaac42abaa408f607f66acf", "subject", 3)]
    assert [(e.amount // 10**18, e.tainted // 10**18, e.time) for e in flow.edges] == [
        (100, 100, "2021-08-02T09:00:00Z"), (60, 60, "2021-08-03T09:00:00Z"),
        (25, 25, "2021-08-04T09:00:00Z")]
    assert flow.nodes[0].labels == ["POTEKHIN, Danil (ofac-sdn)"]
    assert all(n.share_ppm == 1_000_000 for n in flow.nodes)
    xs = [layout(flow)[n.address].x for n in flow.nodes]
    assert xs == sorted(xs) and len(set(xs)) == 4  # one column per hop, left to right
    svg = render_svg(flow)
    root = ET.fromstring(svg)  # well-formed, standalone
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "SANCTIONED SOURCE" in svg and "25 ETH" in svg and "2021-08-04 09:00:00 UTC" in svg
