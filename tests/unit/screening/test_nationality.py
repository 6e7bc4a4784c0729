"""Nationality confirms or rules out a name match like the date of birth does, but weaker:
a DOB agreement outweighs a country difference, and only listed nationalities (never listed
addresses) rule a party out. Parties are the real OFAC SDN / UK / UN excerpt entries."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.exchange.mapping import effects
from screening import countries
from screening.matcher import NameMatcher, NameQuery
from screening.service import ScreeningService

SEMENOV_DOB = dt.date(1987, 11, 8)  # OFAC 44718 "SEMENOV, Roman": DOB 08 Nov 1987, Russia


@pytest.mark.parametrize(("dob", "country", "verdict", "basis", "agreement"), [
    (None, "RU", "strong", "nationality", "agrees"),  # listed nationality confirms
    (None, "JP", "namesake", "nationality", "differs"),  # and rules out
    (SEMENOV_DOB, "JP", "strong", "date of birth", "differs"),  # DOB wins over the country
    (dt.date(1990, 1, 2), "RU", "namesake", "date of birth", "agrees"),  # DOB rules out
    (None, "XX", "possible", "", "unknown"),  # not a country code: decides nothing
    (None, None, "possible", "", "not given"),
])
def test_nationality_confirms_or_rules_out(matcher: NameMatcher, dob: dt.date | None,
                                           country: str | None, verdict: str, basis: str,
                                           agreement: str) -> None:
    found = matcher.screen(NameQuery("Roman Semenov", dob, country))[0]
    assert found.list_id == "44718"
    assert (found.verdict, found.basis, found.country) == (verdict, basis, agreement)


def test_a_listed_address_never_rules_out(matcher: NameMatcher) -> None:
    # UN CDi.013 LEODOMIR MUGARAGU: nationality Rwanda, address in the DR Congo.
    lives = matcher.screen(NameQuery("Leodomir Mugaragu", None, "CD"))[0]
    assert lives.list_id == "CDi.013"
    assert (lives.verdict, lives.country) == ("possible", "address")
    national = matcher.screen(NameQuery("Leodomir Mugaragu", None, "RW"))[0]
    assert (national.verdict, national.basis) == ("strong", "nationality")
    other = matcher.screen(NameQuery("Leodomir Mugaragu", None, "JP"))[0]
    assert (other.verdict, other.basis) == ("namesake", "nationality")


def test_uk_demonyms_are_nationalities(matcher: NameMatcher) -> None:
    # UK 12872 "ABBAS, Adam Del Toro": nationality "Syrian", address United Kingdom.
    syrian = matcher.screen(NameQuery("Adam Del Toro Abbas", None, "SY"))[0]
    assert (syrian.list_id, syrian.verdict, syrian.country) == ("12872", "strong", "agrees")
    resident = matcher.screen(NameQuery("Adam Del Toro Abbas", None, "GB"))[0]
    assert (resident.verdict, resident.country) == ("possible", "address")
    assert countries.codes("(1) Afghan (2) Pakistani") == {"AF", "PK"}
    assert countries.codes("Possibly Ethiopian") == {"ET"}
    assert countries.codes("Iranian citizenship") == {"IR"}
    assert countries.codes("Martian") == frozenset()  # unknown, never "differs"


def test_ruled_out_reason_says_by_what(service: ScreeningService) -> None:
    answer = service.screen_name(NameQuery("Роман Семенов", None, "JP"))
    assert answer["decision"] == "allow"
    detail = answer["reasons"][0]["detail"]
    assert detail.startswith("namesake ruled out by nationality: match with ofac-sdn 44718")
    assert answer["reasons"][0]["evidence"]["basis"] == "nationality"
    blocked = service.screen_name(NameQuery("Роман Семенов", None, "RU"))
    assert blocked["decision"] == "block"
    assert "confirmed by nationality" in blocked["reasons"][0]["detail"]


def test_dual_national_customer_is_not_ruled_out_by_the_other_nationality(
        service: ScreeningService) -> None:
    event = {"v": 1, "id": "e2", "type": "kyc.updated", "time": "2026-11-01T00:00:00Z",
             "account": "A-8", "customer": {"type": "natural", "nationality": ["JP", "RU"],
                                            "names": [{"full": "Roman Semenov",
                                                       "kind": "latin"}]}}
    service.store.put_many(effects(event).items)
    hits = [r for r in service.customer_reasons("A-8") if r.code == "name-match"]
    assert [(r.evidence["list_id"], r.outcome) for r in hits] == [("44718", "block")]
