"""Each alert line says what its record is: on chain, pending, illustrative, replayed,
or retroactive with its real reason and date — never "(illustrative)" for a real pending
withdrawal, never "RETROACTIVE after None".

The alerts are raised by the real rule engine (and retroactive scanner) from the shipped
rulebook, over a real exchange withdrawal event, a real demo line and real listed addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from enrich.enricher import Enricher
from ingest.exchange.mapping import effects
from rules.engine import RuleEngine
from rules.history import TransferHistory
from rules.retro import RetroactiveScanner
from rules.rulebook import load_rulebook
from tests.unit.exchange.stream import ETH, event
from tests.unit.rules.factory import (
    ALICE,
    BOB,
    TORNADO_PROXY,
    WEI,
    DictLookup,
    tornado_tag,
    transfer,
)
from txmon.cli.output import kind_label, print_alerts, where_label
from txmon.models import Alert, Tag, TagKind, Transfer, TransferStatus
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore
from txmon.wire import decode_transfer

POTEKHIN = "0x7f367cc41522ce07553e823bf3be79a889debe1b"  # SDN POTEKHIN, Danil (CYBER2)
LOOKUP = DictLookup([
    tornado_tag(TORNADO_PROXY),
    Tag(address=POTEKHIN, chain="ethereum", source="ofac-sdn", kind=TagKind.SANCTION,
        entity="POTEKHIN, Danil", category="sanctioned", programs=("CYBER2",)),
])


@pytest.fixture
def db(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "s.db")


@pytest.fixture
def rules(db: SqliteStore) -> RuleEngine:
    return RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"), store=db)


def raise_alerts(rules: RuleEngine, t: Transfer) -> list[Alert]:
    alerts = rules.evaluate(Enricher(LOOKUP).enrich(t))
    assert alerts, "the transfer touches a listed address: it must alert"
    return alerts


def summary(alert: Alert, capsys: pytest.CaptureFixture[str], origin: str | None = None) -> str:
    print_alerts([alert], as_json=False, origin=origin)
    return capsys.readouterr().out.splitlines()[0]


def _withdrawal(kind: str, **extra: object) -> Transfer:
    body = event(1, kind, "A1", time="2022-09-01T10:00:00Z", asset=ETH, amount=str(WEI),
                 withdrawal_id="W1", to_address=TORNADO_PROXY, value_jpy="400000", **extra)
    [t] = effects(body).transfers
    return t


def test_pending_withdrawal_is_pending_not_illustrative(rules, capsys) -> None:
    t = _withdrawal("withdrawal.requested")
    assert (t.status, t.block_number) == (TransferStatus.PENDING, None)
    [alert] = raise_alerts(rules, t)
    assert where_label(alert) == "pending withdrawal (not yet on chain)"
    line = summary(alert, capsys)
    assert "pending withdrawal (not yet on chain)" in line and "illustrative" not in line


def test_sent_withdrawal_shows_its_block(rules) -> None:
    [alert] = raise_alerts(rules, _withdrawal("withdrawal.sent", tx_hash="0xbb",
                                              block_number=15_449_618))
    assert where_label(alert) == "block 15449618"


def test_mempool_transfer_is_pending_in_no_block(rules) -> None:
    seen = replace(transfer(1, [(ALICE, WEI)], [(TORNADO_PROXY, WEI)]), block_number=None,
                   block_hash=None, status=TransferStatus.PENDING)
    [alert] = raise_alerts(rules, seen)
    assert where_label(alert) == "pending (not yet in a block)"


def test_demo_synthetic_transfer_is_illustrative(rules, capsys) -> None:
    line = (SEEDS_DIR / "demo" / "illustrative.ndjson").read_bytes().splitlines()[0]
    t = decode_transfer(line)
    [alert] = raise_alerts(rules, t)
    assert alert.evidence["illustrative"] == "synthetic transfer, not on any chain"
    assert "no block (illustrative: synthetic demo transfer, not on any chain)" in summary(
        alert, capsys)


def test_real_transfer_says_neither(rules, capsys) -> None:
    [alert] = raise_alerts(rules, transfer(1, [(ALICE, WEI)], [(TORNADO_PROXY, WEI)]))
    line = summary(alert, capsys)
    assert "block 15000001" in line and "(as of 2022-09-01)" in line
    assert "illustrative" not in line and "pending" not in line and "replay" not in line


def test_replay_output_says_replay(rules, capsys) -> None:
    [alert] = raise_alerts(rules, transfer(1, [(ALICE, WEI)], [(TORNADO_PROXY, WEI)]))
    assert "(replay, as of 2022-09-01)" in summary(alert, capsys, origin="replay")


def test_late_designation_gives_its_date_not_none(rules, db, capsys) -> None:
    before = transfer(1, [(ALICE, WEI)], [(TORNADO_PROXY, WEI)],
                      when=dt.datetime(2021, 9, 30, tzinfo=dt.UTC))
    scanner = RetroactiveScanner(TransferHistory(db), LOOKUP, rules)
    [alert] = scanner.late(Enricher(LOOKUP).enrich(before))
    assert alert.retroactive and alert.list_version is None
    assert kind_label(alert) == "RETROACTIVE: designated 2022-08-08, after the transfer's date"
    assert "None" not in summary(alert, capsys)


def test_list_update_names_its_version_and_publication(rules, db) -> None:
    history = TransferHistory(db)
    old = transfer(1, [(ALICE, WEI)], [(TORNADO_PROXY, WEI)],
                   when=dt.datetime(2021, 9, 30, tzinfo=dt.UTC))
    history.record_many([old, transfer(2, [(ALICE, WEI)], [(BOB, WEI)])])
    scanner = RetroactiveScanner(history, LOOKUP, rules)
    [alert] = scanner.scan({"type": "tags.version", "source": "ofac-sdn",
                            "version": "ofac-sdn@2022-08-08#abc", "published": "2022-08-08",
                            "added": [TORNADO_PROXY]})
    assert kind_label(alert) == "RETROACTIVE after ofac-sdn@2022-08-08#abc, published 2022-08-08"
