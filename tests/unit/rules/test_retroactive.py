"""Retroactive alerts after a list update, and the stored history they rest on."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from enrich.tagupdates import delta_messages
from enrich.tagversions import Delta
from rules.engine import RuleEngine, alert_id
from rules.history import TransferHistory
from rules.retro import RetroactiveScanner
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    CAROL,
    TORNADO,
    TORNADO_PROXY,
    WEI,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.models import TransferStatus
from txmon.store.sqlite import SqliteStore

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
PUBLISHED = dt.date(2022, 8, 8)


def _delta(added: tuple[str, ...] = (), removed: tuple[str, ...] = ()) -> dict[str, object]:
    [message] = delta_messages(Delta("ofac-sdn", "ofac-sdn@2022-08-08#abc", "ofac-sdn@old",
                                     PUBLISHED, added, removed))
    return message


def test_history_finds_transfers_by_any_spelling_in_block_order(tmp_path: Path) -> None:
    history = TransferHistory(SqliteStore(tmp_path / "s.db"))
    a = transfer(2, [(ALICE, WEI)], [(TORNADO, WEI)])
    b = transfer(1, [(TORNADO, WEI)], [(BOB, WEI)])
    c = transfer(3, [(BOB, WEI)], [(CAROL, WEI)])
    assert history.record_many([a, b, c]) > 0
    found = history.touching([TORNADO.upper().replace("0X", "0x")])
    assert [t.id for t in found] == [b.id, a.id]
    history.record_many([replace(a, status=TransferStatus.RETRACTED)])  # reorged away
    assert [t.id for t in history.touching([TORNADO])] == [b.id]
    assert history.prune(dt.date(2022, 9, 1)) == 0  # all are on 2022-09-01
    assert history.prune(dt.date(2022, 9, 2)) == 4  # two transfers, two addresses each
    assert history.touching([TORNADO, BOB]) == []


def test_delta_raises_retroactive_alerts_marked_with_the_version(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    history = TransferHistory(store)
    old = [transfer(1, [(ALICE, WEI)], [(TORNADO, WEI)]),
           transfer(2, [(ALICE, WEI)], [(BOB, WEI)]),
           transfer(3, [(TORNADO_PROXY, 0)], [(CAROL, 0)])]
    history.record_many(old)
    rules = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store)
    lookup = DictLookup([tornado_tag(TORNADO), tornado_tag(TORNADO_PROXY)])
    scanner = RetroactiveScanner(history, lookup, rules)
    got = scanner.scan(_delta(added=(TORNADO,)))
    assert [(a.rule, a.transfer_id, a.retroactive, a.list_version) for a in got] == [
        ("sanctions-direct", old[0].id, True, "ofac-sdn@2022-08-08#abc")]
    assert got[0].id == alert_id("sanctions-direct", old[0].id)  # same id as a live alert
    assert got[0].as_of == PUBLISHED
    assert got[0].evidence["retroactive"] == {  # type: ignore[comparison-overlap]
        "list_version": "ofac-sdn@2022-08-08#abc", "source": "ofac-sdn",
        "published": "2022-08-08", "newly_listed": [TORNADO]}
    assert list(store.scan("exposure:")) == []  # old flows never re-applied to taint state
    assert scanner.scan(_delta(removed=(TORNADO,))) == []  # a delisting raises nothing
    store.close()
