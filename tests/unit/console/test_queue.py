"""The queue over the demo's 5 alerts: newest first, filters, counts, paging, and status
changes made by the CLI's workflow seen through the activity log."""

from __future__ import annotations

import dataclasses
import datetime as dt

from alerts.queue import AlertQueue, Filters
from alerts.workflow import AlertWorkflow
from tests.unit.console.conftest import DIRECT, TWO_HOPS
from txmon.app import App


def test_newest_first_with_counts(demo_app: App) -> None:
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    page = queue.page(Filters())
    assert [r.seq for r in page.rows] == [5, 4, 3, 2, 1]
    assert page.counts["severity"] == {"critical": 3, "high": 2, "medium": 0, "low": 0}
    assert page.counts["status"]["open"] == 5
    assert page.options["rule"] == ["sanctions-direct", "sanctions-indirect"]


def test_filters(demo_app: App) -> None:
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    indirect = queue.page(Filters(severity="high"))
    assert [(r.rule, r.hops, r.amount) for r in indirect.rows] == [
        ("sanctions-indirect", 3, 25 * 10**18), ("sanctions-indirect", 2, 60 * 10**18)]
    retro = queue.page(Filters(retroactive=True))
    assert retro.total == 2 and all(r.as_of == "2024-05-03" for r in retro.rows)
    assert {r.sources for r in retro.rows} == {("ofac-sdn",)}
    window = queue.page(Filters(since=dt.date(2021, 8, 3), until=dt.date(2021, 8, 3)))
    assert [r.id for r in window.rows] == [TWO_HOPS]
    assert queue.page(Filters(chain="bitcoin")).total == 0
    # severity counts ignore the severity filter itself: they say what choosing one gives
    assert indirect.counts["severity"]["critical"] == 3


def test_paging(demo_app: App) -> None:
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    first, second = queue.page(Filters(), 0, 2), queue.page(Filters(), 2, 2)
    assert first.total == second.total == 5
    assert [r.seq for r in first.rows + second.rows] == [5, 4, 3, 2]


def test_cli_status_change_reaches_the_queue(demo_app: App) -> None:
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    assert queue.page(Filters(status="investigating")).total == 0
    AlertWorkflow(demo_app.store, demo_app.alert_store).change(
        DIRECT, "investigating", "kenji", "looking at the counterparty")
    found = queue.page(Filters(status="investigating"))
    assert [r.id for r in found.rows] == [DIRECT]
    assert found.counts["status"]["open"] == 4


def test_lifecycle_events_mark_the_row(demo_app: App) -> None:
    from alerts.feed import RETRACTED_TYPE
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    queue.page(Filters())
    demo_app.alert_store.append_event(f"retracted:{TWO_HOPS}", RETRACTED_TYPE, TWO_HOPS,
                                      {"reason": "reorg"})
    assert queue.get(TWO_HOPS).retracted is True  # type: ignore[union-attr]
    assert [e["type"] for e in queue.lifecycle(TWO_HOPS)] == [RETRACTED_TYPE]
    assert queue.lifecycle(DIRECT) == []


def test_one_pass_page_agrees_with_the_filter_definition(demo_app: App) -> None:
    """page() hoists the filters out of its loop; Filters.match is the definition."""
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    every = queue.page(Filters(), 0, 200).rows
    for filters in (Filters(severity="critical"), Filters(rule="sanctions-indirect"),
                    Filters(source="ofac-sdn", retroactive=False), Filters(assignee="-"),
                    Filters(since=dt.date(2022, 1, 1)), Filters(status="dismissed")):
        assert [r.id for r in queue.page(filters, 0, 200).rows] == [
            r.id for r in every if filters.match(r)]


def test_bitset_index_agrees_after_changes_and_on_every_combination(demo_app: App) -> None:
    import itertools

    from alerts import activity
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    queue.page(Filters())
    AlertWorkflow(demo_app.store, demo_app.alert_store).change(DIRECT, "investigating", "k", "r")
    activity.record(demo_app.store, TWO_HOPS, "assignee", "sam", "k", "2026-01-01T00:00:00Z")
    activity.record(demo_app.store, TWO_HOPS, "assignee", "alice", "k", "2026-01-02T00:00:00Z")
    every = queue.page(Filters(), 0, 200).rows
    for status, severity, assignee, retro, since in itertools.product(
            ("", "open", "investigating"), ("", "critical", "high"), ("", "-", "alice", "sam"),
            (None, True, False), (None, dt.date(2021, 8, 3))):
        f = Filters(status=status, severity=severity, assignee=assignee, retroactive=retro,
                    since=since)
        page = queue.page(f, 0, 200)
        assert [r.id for r in page.rows] == [r.id for r in every if f.match(r)], f
        assert page.counts["status"]["open"] == sum(
            1 for r in every if dataclasses.replace(f, status="open").match(r))


def test_bitsets_batch_and_offsets() -> None:
    from alerts.bitsets import Bitsets, newest
    bits = Bitsets(["kind"])
    for p in range(1000):
        bits.add(p, {"kind": ["even" if p % 2 == 0 else "odd"]})
    bits.flush()  # one batch of 500 positions per value: the bytearray path
    assert bits.mask("kind", "even").bit_count() == 500
    assert newest(bits.mask("kind", "odd"), 0, 3) == [999, 997, 995]
    assert newest(bits.mask("kind", "odd"), 498, 5) == [3, 1]
    bits.move("kind", "odd", "even", 999)
    assert newest(bits.mask("kind", "even"), 0, 2) == [999, 998]


def test_many_changes_at_once_rebuild_the_facet(demo_app: App) -> None:
    from alerts import activity
    from alerts.queue import REBUILD_AFTER
    queue = AlertQueue(demo_app.store, demo_app.alert_store)
    queue.page(Filters())
    for n in range(REBUILD_AFTER + 1):  # the last one wins: sam
        who = "alice" if n < REBUILD_AFTER else "sam"
        activity.record(demo_app.store, DIRECT, "assignee", who, "k", "2026-01-01T00:00:00Z")
    assert [r.id for r in queue.page(Filters(assignee="sam")).rows] == [DIRECT]
    assert queue.page(Filters(assignee="alice")).total == 0
    assert queue.page(Filters(assignee="-")).total == 4
