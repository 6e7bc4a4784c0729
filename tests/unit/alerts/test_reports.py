"""MOF/FSA and OFAC reports from a stored alert: the fields, the 10-business-day due date,
CSV and printable HTML, through ``txmon alerts report`` — on real OFAC list records."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.reports.fields import add_business_days, build
from alerts.reports.render import COLUMNS, to_csv, to_html
from alerts.store import AlertStore
from enrich.enricher import Enricher
from enrich.index import TagIndex
from enrich.tagstore import TagStore
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from screening.service import ScreeningService
from tests.unit.rules.factory import ALICE, WEI, transfer
from tests.unit.screening.conftest import TODAY, load_lists
from txmon.app import App
from txmon.cli.main import main
from txmon.models import Alert
from txmon.settings import SEEDS_DIR, load_settings
from txmon.store.sqlite import SqliteStore

SEMENOV_ETH = "0xdcbeffbecce100cce9e4b153c4e15cb885643193"  # OFAC SDN 44718
FRIDAY = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ScreeningService]:
    """The real OFAC / UN / UK excerpts of tests/data/screening on a fresh store."""
    store = SqliteStore(tmp_path / "s.db")
    tag_store = TagStore(store)
    load_lists(tag_store)
    yield ScreeningService(store, TagIndex(tag_store), clock=lambda: TODAY)
    store.close()


@pytest.mark.parametrize(("start", "due"), [
    ("2026-12-04", "2026-12-18"),  # Friday → two weeks later, weekends skipped
    ("2026-12-05", "2026-12-18"),  # Saturday counts from the Monday after
    ("2026-12-07", "2026-12-21"),  # Monday
    ("2026-12-30", "2027-01-13"),  # across New Year (holidays are not in the data)
])
def test_ten_business_days(start: str, due: str) -> None:
    assert add_business_days(dt.date.fromisoformat(start), 10) == dt.date.fromisoformat(due)


def _stored_alert(service: ScreeningService) -> tuple[Alert, dict[str, object]]:
    engine = RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"))
    deposit = transfer(7, [(SEMENOV_ETH, 3 * WEI)], [(ALICE, 3 * WEI)],
                       when=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    [alert] = engine.evaluate(Enricher(TagIndex(service.tag_store)).enrich(deposit))
    alerts = AlertStore(service.store, clock=lambda: FRIDAY)
    alerts.raise_alert(alert)
    [(_, event)] = list(alerts.events())
    return alert, event


def test_ofac_blocked_property_report_fields(service: ScreeningService) -> None:
    alert, event = _stored_alert(service)
    report = build(alert, event, "ofac", None, "Example Exchange K.K.", None,
                   dt.date(2026, 12, 4))
    assert report.title == "OFAC Report of Blocked Property (31 CFR 501.603)"
    assert (report.action, report.action_date, report.due_date) == (
        "blocked", dt.date(2026, 12, 4), dt.date(2026, 12, 18))
    [row] = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert tuple(row) == COLUMNS
    assert (row["party"], row["list"], row["list_record"], row["programs"]) == (
        "SEMENOV, Roman", "ofac-sdn", "44718", "DPRK3, CYBER2")
    assert row["matched"] == SEMENOV_ETH
    assert (row["amount"], row["amount_base_units"], row["asset"]) == (
        "3 ETH", str(3 * WEI), "ETH")
    assert (row["due_date"], row["action_date"], row["reporter"]) == (
        "2026-12-18", "2026-12-04", "Example Exchange K.K.")
    assert (row["alert"], row["rule"], row["feed_seq"]) == (alert.id, "sanctions-direct", "1")
    assert row["tx_hash"] == f"0x{7:064x}"
    assert row["listed_at"] == "2024-05-03"  # the version's date: no designations file here

    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "Due: 2026-12-18 (10 business days after 2026-12-04" in page
    assert "SEMENOV, Roman" in page and "44718" in page and "3 ETH" in page


def test_mof_report_of_a_rejected_withdrawal_has_no_invented_deadline(
        service: ScreeningService) -> None:
    alert, event = _stored_alert(service)
    report = build(alert, event, "mof", "rejected", "Example Exchange K.K.",
                   dt.date(2026, 12, 3), dt.date(2026, 12, 4))
    assert report.title == "Report of a rejected transfer (asset-freeze measures, FEFTA)"
    assert report.due_date is None
    [row] = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert (row["action"], row["action_date"], row["due_date"]) == ("rejected", "2026-12-03", "")
    assert "No statutory deadline is set by txmon" in to_html(report)


def test_cli_writes_the_report_file(tmp_path: Path) -> None:
    app = App(load_settings(data_dir=tmp_path))
    alert, _ = _stored_alert(ScreeningService(app.store, app.tag_index))
    app.close()
    out = tmp_path / "ofac.html"
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "alerts", "report",
                                       alert.id, "--kind", "ofac", "--format", "html",
                                       "--reporter", "Example Exchange K.K.", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "due 2026-12-18" in result.stderr
    assert "SEMENOV, Roman" in out.read_text("utf-8")
    csv_out = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "alerts", "report",
                                        alert.id, "--kind", "mof", "--format", "csv"])
    [row] = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert row["list_record"] == "44718" and row["due_date"] == ""
    missing = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "alerts", "report",
                                        "nope", "--kind", "ofac"])
    assert missing.exit_code == 2 and "no stored alert nope" in missing.stderr


def test_report_amounts_are_exact_for_uint256() -> None:
    from alerts.reports.fields import _units

    assert _units(123456789012345678901234567890, 18) == "123456789012.34567890123456789"
    assert (_units(1, 18), _units(250_000_000_000, 6), _units(7, 0)) == (
        "0.000000000000000001", "250000", "7")
