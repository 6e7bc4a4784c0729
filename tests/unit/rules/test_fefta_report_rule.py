"""The shipped rule ``fefta-art55-report``: an exchange transfer above ¥30,000,000 whose
counterparty is not known to be in Japan raises an alert, from the feed's own yen value."""

from __future__ import annotations

import datetime as dt

import pytest

from enrich.enricher import EnrichedTransfer
from ingest.exchange.mapping import effects
from ingest.exchange.schema import parse
from rules.engine import RuleEngine, alert_id
from rules.rulebook import load_rulebook
from txmon.models import Alert
from txmon.settings import SEEDS_DIR
from txmon.wire import dumps

RULE = "fefta-art55-report"


def withdrawal(value_jpy: str | None, vasp_country: str | None = "SG",
               person_country: str | None = None) -> dict[str, object]:
    person: dict[str, object] = {"name": {"nameIdentifier": [
        {"primaryIdentifier": "Tan", "secondaryIdentifier": "Wei"}]}}
    if person_country:
        person["countryOfResidence"] = person_country
    vasp: dict[str, object] = {"name": "Example VASP Pte Ltd"}
    if vasp_country:
        vasp["country"] = vasp_country
    body: dict[str, object] = {
        "v": 1, "id": "ev-9", "type": "withdrawal.requested", "time": "2026-11-29T10:00:00Z",
        "account": "A-1001", "withdrawal_id": "W-9",
        "asset": {"chain": "ethereum", "symbol": "USDT", "decimals": 6,
                  "contract": "0xdAC17F958D2ee523a2206206994597C13D831ec7"},
        "amount": "250000000000", "to_address": "0x8589427373D6D84E98730D7795D8f6f8731FDA16",
        "travel_rule": {"beneficiary": {"beneficiaryPersons": [{"naturalPerson": person}]},
                        "beneficiaryVASP": vasp}}
    if value_jpy is not None:
        body["value_jpy"] = value_jpy
    return body


def _alerts(body: dict[str, object]) -> list[Alert]:
    [transfer] = effects(parse(dumps(body))).transfers
    engine = RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"))
    return engine.evaluate(EnrichedTransfer(transfer, dt.date(2026, 11, 29), ()))


def test_over_30m_yen_to_a_foreign_vasp_raises_the_report_alert() -> None:
    [alert] = _alerts(withdrawal("37500000"))
    assert (alert.rule, alert.severity, alert.amount, alert.asset) == (
        RULE, "medium", 250_000_000_000, "USDT")
    assert alert.id == alert_id(RULE, "exchange:wd-W-9:0")
    inputs = alert.evidence["trace"]["inputs"]["transfer"]
    assert (inputs["jpy_value"], inputs["jpy_known"], inputs["counterparty_country"],
            inputs["counterparty_resident"]) == (37_500_000, True, "SG", False)


@pytest.mark.parametrize(("body", "why"), [
    (withdrawal("30000000"), "exactly ¥30,000,000 is not above the threshold"),
    (withdrawal("37500000", vasp_country="JP"), "a VASP in Japan: resident"),
    (withdrawal("37500000", vasp_country="SG", person_country="JP"),
     "the person resides in Japan (beats the VASP's country)"),
    (withdrawal(None), "no yen value in the feed: nothing to compare (no price table)"),
])
def test_no_report_alert(body: dict[str, object], why: str) -> None:
    assert [a.rule for a in _alerts(body)] == [], why


def test_unknown_counterparty_country_counts_as_non_resident() -> None:
    [alert] = _alerts(withdrawal("30000001", vasp_country=None))
    assert alert.evidence["trace"]["inputs"]["transfer"]["counterparty_country"] == ""
