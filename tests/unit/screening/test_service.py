"""Decisions for addresses, names and customers, and their confirmation records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from enrich.index import TagIndex
from enrich.sources import loader
from ingest.exchange.mapping import effects
from rules.exposure.config import ExposureConfig
from rules.exposure.state import TaintRepository, TaintState
from screening.confirmations import LOG, verify
from screening.matcher import NameQuery
from screening.service import InvalidQuery, ScreeningService
from tests.unit.screening.conftest import COMMENTS, TODAY
from txmon.errors import FeedVerificationError, InvalidAddress
from txmon.wire import dumps, loads

SEMENOV_ETH = "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193"  # in SEMENOV, Roman's SDN entry
UNLISTED = "0x00000000219ab540356cbb839cbe05303d7705fa"
TORNADO = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # GraphSense tornado.cash pack
TAGPACK = Path(__file__).resolve().parents[2] / "data" / "tags" / "graphsense" / "tornado_cash.yaml"


def test_sanctioned_address_is_blocked_and_confirmed(service: ScreeningService) -> None:
    answer = service.screen_address(SEMENOV_ETH, chain="ethereum")
    assert answer["decision"] == "block"
    reason = answer["reasons"][0]
    assert reason["code"] == "sanctioned-address"
    assert reason["evidence"]["source"] == "ofac-sdn" and reason["evidence"]["list_id"] == "44718"
    assert answer["checked"]["address"] == SEMENOV_ETH.lower()
    assert set(answer["list_versions"]) == {"ofac-sdn", "un-sc", "uk-hmt"}
    assert answer["at"] == "2026-11-29T12:00:00Z"
    assert answer["confirmation"]["seq"] == 1
    entries = list(service.log.entries())
    assert entries[0]["decision"] == "block" and entries[0]["checked"] == answer["checked"]
    assert verify(iter(entries)) == 1


def test_unlisted_address_is_allowed(service: ScreeningService) -> None:
    answer = service.screen_address(UNLISTED)
    assert (answer["decision"], answer["reasons"]) == ("allow", [])


def test_broken_address_is_refused(service: ScreeningService) -> None:
    with pytest.raises(InvalidAddress):
        service.screen_address("0xdcbEfFBECcE100cCE9E4b153C4e15cB885643194")  # bad checksum


def test_mixer_address_is_reviewed(service: ScreeningService) -> None:
    service.tag_store.load(loader("graphsense").load([TAGPACK]), "graphsense",
                           dt.date(2024, 1, 1))
    fresh = ScreeningService(service.store, TagIndex(service.tag_store), clock=lambda: TODAY)
    answer = fresh.screen_address(TORNADO, chain="ethereum")
    assert answer["decision"] == "review"
    assert [r["code"] for r in answer["reasons"]] == ["risky-entity"]


def test_indirect_exposure_is_reviewed(service: ScreeningService) -> None:
    config = ExposureConfig()
    TaintRepository(service.store, config.model).save(
        "ethereum:ETH", {UNLISTED: TaintState(balance=10**18, tainted=5 * 10**17, hops=2,
                                              sources=(SEMENOV_ETH.lower(),))},
        "ethereum:0xabc:0", b"{}")
    exposed = ScreeningService(service.store, TagIndex(service.tag_store), config,
                               clock=lambda: TODAY)
    answer = exposed.screen_address(UNLISTED, chain="ethereum")
    assert answer["decision"] == "review"
    assert answer["reasons"][0]["code"] == "indirect-exposure"
    assert answer["reasons"][0]["evidence"]["share_ppm"] == 500_000


@pytest.mark.parametrize(("dob", "country", "decision"), [
    (dt.date(1987, 11, 8), "RU", "block"),  # strong match, DOB agrees
    (None, None, "review"),  # strong name, nothing to tell namesakes apart
    (dt.date(1990, 1, 2), "JP", "allow"),  # a namesake: the DOB differs
])
def test_name_decision(service: ScreeningService, dob: dt.date | None, country: str | None,
                       decision: str) -> None:
    answer = service.screen_name(NameQuery("Роман Семенов", dob, country))
    assert answer["decision"] == decision
    assert answer["reasons"][0]["evidence"]["list_id"] == "44718"


def test_high_risk_country_is_reviewed(service: ScreeningService) -> None:
    answer = service.screen_name(NameQuery("Taro Yamada", None, "KP"))
    assert answer["decision"] == "review"
    assert [r["code"] for r in answer["reasons"]] == ["jurisdiction"]


def test_customer_behind_withdrawal_is_screened(service: ScreeningService) -> None:
    event = {"v": 1, "id": "e1", "type": "kyc.updated", "time": "2026-11-01T00:00:00Z",
             "account": "A-7", "customer": {"type": "natural", "dob": "1987-11-08",
                                            "nationality": ["RU"],
                                            "names": [{"full": "Семенов Роман",
                                                       "kind": "native"}]}}
    service.store.put_many(effects(event).items)
    answer = service.screen_address(UNLISTED, chain="ethereum", customer="A-7")
    assert answer["decision"] == "block"
    assert answer["reasons"][0]["code"] == "name-match"
    assert answer["checked"]["customer"] == "A-7"


def test_unknown_customer_is_reviewed(service: ScreeningService) -> None:
    assert service.screen_address(UNLISTED, customer="nobody")["decision"] == "review"


def test_confirmation_log_detects_an_edit(service: ScreeningService) -> None:
    service.screen_address(UNLISTED)
    service.screen_address(SEMENOV_ETH)
    entries = list(service.log.entries())
    assert [e["seq"] for e in entries] == [1, 2] and entries[1]["prev_hash"] == entries[0]["hash"]
    edited = loads(dumps(entries[1]))
    edited["decision"] = "allow"
    with pytest.raises(FeedVerificationError):
        verify(iter([entries[0], edited]))
    assert service.store.log_head(LOG).seq == 2


def test_indexes_follow_a_new_list_version(service: ScreeningService, tmp_path: Path) -> None:
    assert service.screen_name(NameQuery("Lazarus Group"), record=False)["decision"] == "review"
    assert service.screen_address(SEMENOV_ETH, record=False)["decision"] == "block"
    sdn = Path(__file__).resolve().parents[2] / "data" / "screening" / "ofac" / "sdn.csv"
    newer = tmp_path / "sdn.csv"  # a later version without both entries (delistings)
    newer.write_bytes(b"\n".join(line for line in sdn.read_bytes().split(b"\n")
                                 if b"LAZARUS" not in line and b"SEMENOV, Roman" not in line))
    service.tag_store.load(loader("ofac-csv").load([newer, COMMENTS]), "ofac-csv",
                           dt.date(2024, 6, 1))
    service._checked = 0.0  # skip the one-second head cache
    assert service.screen_address(SEMENOV_ETH, record=False)["decision"] == "allow"
    assert service.screen_name(NameQuery("Lazarus Group"), record=False)["decision"] == "allow"


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)  # ASCII → FULLWIDTH forms


@pytest.mark.parametrize("raw", [
    SEMENOV_ETH[2:],  # no 0x
    SEMENOV_ETH[2:].lower(),
    "０ｘ" + SEMENOV_ETH[2:],  # full-width prefix
    _fullwidth(SEMENOV_ETH.lower()),  # full-width prefix and hex digits
    "\u200b" + SEMENOV_ETH[:10] + "\u2060\ufeff" + SEMENOV_ETH[10:] + "\u00ad",  # invisible
    f"\u3000{SEMENOV_ETH}\u200b\n",
])
def test_lookalike_forms_of_a_listed_address_block(service: ScreeningService, raw: str) -> None:
    answer = service.screen_address(raw, chain="ethereum")
    assert answer["decision"] == "block"
    assert answer["checked"]["address"] == SEMENOV_ETH.lower()
    codes = [r["code"] for r in answer["reasons"]]
    assert codes == ["sanctioned-address", "address-normalised"]
    assert answer["reasons"][1]["evidence"] == {"input": raw, "read_as": SEMENOV_ETH.lower()}


@pytest.mark.parametrize(("raw", "code"), [
    ("notanaddress", "unrecognised-address"),
    ("0xdcbeffbecce100cce9e4b153c4e15cb88564319\u0437", "lookalike-characters"),  # Cyrillic з
    ("0xdcb\u0435ffbecce100cce9e4b153c4e15cb885643193", "lookalike-characters"),  # Cyrillic е
])
def test_unreadable_address_is_reviewed_never_allowed(service: ScreeningService, raw: str,
                                                       code: str) -> None:
    answer = service.screen_address(raw)
    assert answer["decision"] == "review"
    assert [r["code"] for r in answer["reasons"]] == [code]
    assert answer["confirmation"]["seq"] == 1  # the review is recorded


@pytest.mark.parametrize(("raw", "chain", "message"), [
    (SEMENOV_ETH[2:-1] + "4", None, "checksum"),  # mixed case without 0x: EIP-55 still holds
    (SEMENOV_ETH, "bitcoin", "not a bitcoin address"),
    ("bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6", "ethereum", "not a ethereum address"),
    ("notanaddress", "ethereum", "not a ethereum address"),
    (SEMENOV_ETH, "dogecoin", "unknown chain"),
    ("\u200b\u2060", None, "empty"),
])
def test_impossible_address_is_an_error_and_not_recorded(service: ScreeningService, raw: str,
                                                         chain: str | None, message: str) -> None:
    with pytest.raises(InvalidAddress, match=message):
        service.screen_address(raw, chain=chain)
    assert list(service.log.entries()) == []


def test_impossible_value_is_refused_before_recording(service: ScreeningService) -> None:
    with pytest.raises(InvalidQuery, match="value_jpy"):
        service.screen_address(SEMENOV_ETH, value_jpy=10**40)
    assert list(service.log.entries()) == []


@pytest.mark.parametrize("name", [
    "Ro\u200bman Se\u200bmenov", "Roman\u200b Semenov\u2060", "Ro\u00adman Se\ufeffme\u200dnov",
    "Ｒｏｍａｎ　Ｓｅｍｅｎｏｖ", "Roman\u00a0\u00a0Semenov\u180e",
])
def test_invisible_characters_do_not_hide_a_name(service: ScreeningService, name: str) -> None:
    plain = service.screen_name(NameQuery("Roman Semenov"), record=False)
    answer = service.screen_name(NameQuery(name), record=False)
    assert plain["decision"] == answer["decision"] == "review"
    assert answer["reasons"][0]["evidence"]["list_id"] == "44718"
    assert answer["reasons"][0]["evidence"]["normalised"]["query"] == "roman semenov"


def test_name_without_letters_is_an_error(service: ScreeningService) -> None:
    with pytest.raises(InvalidQuery, match="no letters"):
        service.screen_name(NameQuery("\u200b\u200c\u00ad"))
    assert list(service.log.entries()) == []


@pytest.mark.parametrize("dob", [dt.date(2100, 1, 1), dt.date(1, 1, 1)])
def test_impossible_dob_cannot_make_a_namesake(service: ScreeningService, dob: dt.date) -> None:
    answer = service.screen_name(NameQuery("Роман Семенов", dob))
    assert answer["decision"] == "review"  # not "allow" as a namesake with another DOB
    # (no country: a listed nationality given here would confirm on its own, a block)
    assert [r["code"] for r in answer["reasons"]][:2] == ["implausible-dob", "name-match"]
    assert answer["checked"]["dob"] == dob.isoformat()


def test_unknown_country_code_is_reviewed(service: ScreeningService) -> None:
    answer = service.screen_name(NameQuery("Taro Yamada", None, "ZZ"))
    assert answer["decision"] == "review"
    assert [r["code"] for r in answer["reasons"]] == ["unknown-country"]


def test_address_check_never_builds_the_name_index(service: ScreeningService,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-off ``txmon screen ADDRESS`` must not pay ~1 s for an index it never reads:
    with name indexing broken, address decisions (a cross-list party group included) still
    come, and the first name query is the one that needs it."""
    import screening.service as service_module

    def broken(*_: object) -> None:
        raise AssertionError("name index built for an address check")

    monkeypatch.setattr(service_module, "NameIndex", broken)
    answer = service.screen_address(SEMENOV_ETH, chain="ethereum", record=False)
    assert answer["decision"] == "block"
    assert answer["reasons"][0]["evidence"]["list_id"] == "44718"
    assert service.screen_address(UNLISTED, record=False)["decision"] == "allow"
    with pytest.raises(AssertionError, match="name index built"):
        service.screen_name(NameQuery("Lazarus Group"), record=False)


def test_party_links_are_derived_once_per_list_head(service: ScreeningService,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A second process (a second `txmon screen` of a listed address) reads the links the
    first one stored instead of reading every listed party again, and answers the same."""
    first = service.screen_address(SEMENOV_ETH, record=False)
    again = ScreeningService(service.store, service._tags, clock=lambda: TODAY)
    monkeypatch.setattr(again.tag_store, "parties", lambda: pytest.fail("parties re-read"))
    second = again.screen_address(SEMENOV_ETH, record=False)
    assert second["reasons"] == first["reasons"] and second["decision"] == "block"
