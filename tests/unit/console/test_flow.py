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


def test_expand_adds_stored_neighbours_within_the_window(demo_app: App) -> None:
    import datetime as dt

    from alerts.flow import Window, expand
    from rules.history import TransferHistory
    from txmon.models import Asset, Leg, Transfer

    subject = "0x262a992c403428b0efaac42abaa408f607f66acf"
    onward = "0x1111111111111111111111111111111111111111"
    history = TransferHistory(demo_app.store)
    history.record_many([Transfer(
        chain="ethereum", network="mainnet", asset=Asset("ethereum", "ETH", 18),
        tx_hash="0x" + "ab" * 32,
        index=0, block_number=None, block_hash=None,
        block_time=dt.datetime(2021, 8, 6, 12, tzinfo=dt.UTC),
        inputs=(Leg(subject, 5 * 10**18),), outputs=(Leg(onward, 5 * 10**18),))])
    console = _console(demo_app)
    row = next(r for r in console.queue.page(Filters()).rows if r.id.startswith(THREE_HOPS))
    grown = console.flow(row.id, [subject])
    assert [(n.address, n.role) for n in grown.nodes][-1] == (onward, "neighbour")
    assert (grown.edges[-1].amount, grown.edges[-1].tainted, grown.edges[-1].time) == (
        5 * 10**18, 0, "2021-08-06T12:00:00Z")
    assert layout(grown)[onward].x > layout(grown)[subject].x
    assert 'stroke-dasharray' in render_svg(grown) and "NEIGHBOUR" in render_svg(grown)
    base = console.flow(row.id)
    assert len(expand(base, history, [subject], Window(since="2021-08-07")).edges) == 3
    assert len(expand(base, history, [subject], Window(min_amount=6 * 10**18)).edges) == 3
    assert len(expand(base, history, [subject], Window(until="2021-08-06")).edges) == 4
