"""Each signal of the default rulebook against real listed addresses, and determinism."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from enrich.enricher import Enricher
from rules.engine import RuleEngine, alert_id
from rules.prices import PriceTable
from rules.rulebook import load_rulebook
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    TORNADO,
    TORNADO_PROXY,
    USDT,
    WEI,
    DictLookup,
    entity_tag,
    tornado_tag,
    transfer,
)
from txmon.models import Alert, Transfer
from txmon.store.sqlite import SqliteStore
from txmon.wire import alert_to_wire, dumps

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
TAGS = [tornado_tag(TORNADO), tornado_tag(TORNADO_PROXY),
        entity_tag(DAVE, "mixer", "Test Mixer"), entity_tag(ERIN, "exchange", "Test Exchange")]


def _alerts(tmp_path: Path, transfers: list[Transfer],
            as_of: dt.date | None = None) -> list[Alert]:
    store = SqliteStore(tmp_path / "s.db")
    engine = RuleEngine(load_rulebook(SEEDS / "rulebook.yaml"), store=store,
                        prices=PriceTable.load(SEEDS / "prices.csv"))
    enricher = Enricher(DictLookup(TAGS))
    try:
        return [a for t in transfers for a in engine.evaluate(enricher.enrich(t, as_of))]
    finally:
        store.close()


def test_direct_exposure_includes_zero_value_and_failed(tmp_path: Path) -> None:
    zero = transfer(1, [(ALICE, 0)], [(TORNADO_PROXY, 0)])
    failed = transfer(2, [(ALICE, WEI)], [(TORNADO, WEI)], success=False)
    got = _alerts(tmp_path, [zero, failed])
    assert [(a.rule, a.addresses) for a in got] == [
        ("sanctions-direct", (TORNADO_PROXY,)), ("sanctions-direct", (TORNADO,))]
    match = got[0].evidence["matches"][0]  # type: ignore[index]
    assert match["side"] == "output" and match["tags"][0]["entity"] == "TORNADO CASH"
    assert match["tags"][0]["programs"] == ["CYBER2"]
    assert got[0].id == alert_id("sanctions-direct", zero.id)
    assert got[0].rulebook_version == "2026.12.0"


def test_point_in_time_before_designation_and_after_delisting(tmp_path: Path) -> None:
    t = transfer(1, [(ALICE, WEI)], [(TORNADO, WEI)])
    assert _alerts(tmp_path, [t], as_of=dt.date(2022, 8, 7)) == []
    assert _alerts(tmp_path / "b", [t], as_of=dt.date(2025, 3, 21)) == []
    assert len(_alerts(tmp_path / "c", [t], as_of=dt.date(2022, 8, 8))) == 1


def test_category_exposure(tmp_path: Path) -> None:
    got = _alerts(tmp_path, [transfer(1, [(DAVE, WEI)], [(ALICE, WEI)])])
    assert [(a.rule, a.severity, a.addresses) for a in got] == [
        ("high-risk-entity-direct", "high", (DAVE,))]
    assert got[0].evidence["trace"]["inputs"]["hits"][0]["categories"] == ["mixer"]  # type: ignore[index]


def test_indirect_exposure_alert_carries_hop_path(tmp_path: Path) -> None:
    chain = [
        transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 10 * WEI)]),
        transfer(2, [(ALICE, 4 * WEI)], [(BOB, 4 * WEI)]),
        transfer(3, [(BOB, 4 * WEI)], [(CAROL, 4 * WEI)]),
    ]
    got = _alerts(tmp_path, chain)
    assert [(a.rule, a.transfer_id) for a in got] == [
        ("sanctions-direct", chain[0].id),
        ("sanctions-indirect", chain[1].id),
        ("sanctions-indirect", chain[2].id)]
    last = got[2]
    assert last.addresses == (BOB, TORNADO)
    exposure = last.evidence["exposure"]
    assert exposure["hops"] == 3 and exposure["share_ppm"] == 1_000_000  # type: ignore[index]
    assert [(h["from"], h["to"], h["amount"]) for h in exposure["path"]] == [  # type: ignore[index]
        (TORNADO, ALICE, str(10 * WEI)), (ALICE, BOB, str(4 * WEI)), (BOB, CAROL, str(4 * WEI))]
    assert last.evidence["trace"]["inputs"]["exposure"]["hops"] == 3  # type: ignore[index]


def test_usd_amount_of_a_stablecoin(tmp_path: Path) -> None:
    big = transfer(1, [(ALICE, 20_000 * 10**6)], [(ERIN, 20_000 * 10**6)], asset=USDT)
    small = transfer(2, [(ALICE, 9_999 * 10**6)], [(ERIN, 9_999 * 10**6)], asset=USDT)
    got = _alerts(tmp_path, [big, small])
    assert [a.rule for a in got] == ["large-stablecoin-to-exchange-entity"]
    inputs = got[0].evidence["trace"]["inputs"]  # type: ignore[index]
    assert inputs["transfer"]["usd_cents"] == 2_000_000
    assert inputs["hits"][0]["usd_cents"] == 2_000_000


def test_same_input_gives_identical_alerts(tmp_path: Path) -> None:
    transfers = [
        transfer(1, [(TORNADO, 10 * WEI)], [(ALICE, 6 * WEI), (BOB, 4 * WEI)]),
        transfer(2, [(ALICE, 3 * WEI), (BOB, 1 * WEI)], [(CAROL, 4 * WEI)]),
        transfer(3, [(CAROL, 0)], [(TORNADO_PROXY, 0)], success=False),
        transfer(4, [(DAVE, WEI)], [(ERIN, WEI)]),
    ]
    alerts = _alerts(tmp_path / "1", transfers)
    assert [a.rule for a in alerts] == ["sanctions-direct", "sanctions-indirect",
                                        "sanctions-direct", "high-risk-entity-direct"]
    first = [dumps(alert_to_wire(a)) for a in alerts]
    second = [dumps(alert_to_wire(a)) for a in _alerts(tmp_path / "2", transfers)]
    assert first == second
