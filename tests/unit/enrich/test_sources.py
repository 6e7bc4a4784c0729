"""Every list format on real files (excerpts in tests/data/tags, see its PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrich.sources import FORMATS, loader
from tests.unit.enrich.paths import LISTS, SEEDS, TAGDATA
from txmon.errors import ListFormatError
from txmon.models import TagKind


def test_every_format_of_the_cli_has_a_loader():
    assert set(FORMATS) == {"ofac-csv", "ofac-xml", "ofac-address-list", "un-xml", "uk-csv",
                            "eu-xml", "opensanctions-ftm", "graphsense", "labels-json",
                            "token-list", "mof"}


def test_ofac_address_list_txt_and_json_hold_the_same_entries(tmp_path):
    txt = loader("ofac-address-list").load([LISTS / "sanctioned_addresses_USDT.txt"])
    assert len(txt.tags) == 26
    assert {t.chain for t in txt.tags} == {"evm", "tron", "bitcoin"}
    assert {t.asset for t in txt.tags} == {"USDT"} and {t.entity for t in txt.tags} == {""}
    bad = tmp_path / "sanctioned_addresses_ETH.txt"
    bad.write_text("0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc\n0x12D66f87A04A9E2207\n")
    with pytest.raises(ListFormatError) as err:
        loader("ofac-address-list").load([bad])
    assert err.value.line == 2


def test_ofac_xml_sdnlist():
    loaded = loader("ofac-xml").load([TAGDATA / "ofac-xml" / "consolidated_excerpt.xml"])
    assert loaded.published == dt.date(2018, 4, 6)
    assert [p.list_id for p in loaded.names] == ["4632", "4633", "4635"]
    assert loaded.names[0].aliases == ("CENTRAL BANK OF THE ISLAMIC REPUBLIC OF IRAN",
                                       "BANK MARKAZI IRAN", "CENTRAL BANK OF IRAN")
    assert loaded.names[0].programs == ("IRAN",)


def test_malformed_xml_names_file_and_line(tmp_path):
    broken = tmp_path / "sdn.xml"
    lines = (TAGDATA / "ofac-xml" / "consolidated_excerpt.xml").read_text().splitlines()
    broken.write_text("\n".join(lines[:20]) + "\n<oops>\n")
    with pytest.raises(ListFormatError) as err:
        loader("ofac-xml").load([broken])
    assert err.value.path == str(broken) and err.value.line is not None


def test_un_xml():
    loaded = loader("un-xml").load([TAGDATA / "un" / "UN_consolidated_excerpt.xml"])
    assert loaded.published == dt.date(2026, 2, 27)
    assert len(loaded.names) == 5
    first = loaded.names[0]
    assert (first.list_id, first.name, first.programs, first.listed_on, first.dob) == (
        "CDi.001", "ERIC BADEGE", ("DRC",), dt.date(2012, 12, 31), ("1971",))
    assert {p.party_type for p in loaded.names} == {"individual", "entity"}


def test_uk_csv_cp1252_grouped_by_group_id():
    # the excerpt's rows 73-74 hold cp1252 quotes (0x91/0x92): decoding must not fail
    loaded = loader("uk-csv").load([TAGDATA / "uk" / "sanctionsconlist_excerpt.csv"])
    assert loaded.published == dt.date(2018, 4, 13)
    assert len(loaded.names) == 48
    party = next(p for p in loaded.names if p.list_id == "13458")
    assert party.name == "ABDOULAYE, Hissene"
    assert party.aliases == ("ABDOULAYE, Hissein", "ABDOULAYE, Issene",
                             "ABDOULAYE, Issene Ramadan")
    assert (party.party_type, party.dob, party.listed_on) == (
        "individual", ("00/00/1967",), dt.date(2017, 5, 18))
    assert party.programs == ("Central African Republic",)


def test_eu_legacy_fsd_xml():
    loaded = loader("eu-xml").load([TAGDATA / "eu" / "data_excerpt.xml"])
    assert loaded.published == dt.date(2016, 2, 11)
    mugabe = loaded.names[0]
    assert (mugabe.name, mugabe.party_type, mugabe.programs, mugabe.dob[0]) == (
        "Robert Gabriel Mugabe", "individual", ("ZWE",), "1924-02-21")


def test_opensanctions_ftm_names():
    loaded = loader("opensanctions-ftm").load([TAGDATA / "opensanctions" / "entities.ftm.json"])
    assert len(loaded.names) == 6 and loaded.tags == []  # the real sample has no CryptoWallet
    assert "RAB „Inter Tobacco“" in {p.name for p in loaded.names}


def test_graphsense_packs_inherit_header_fields_and_skip_bad_checksums():
    folder = TAGDATA / "graphsense"
    loaded = loader("graphsense").load(sorted(folder.glob("*.yaml")))
    tornado = [t for t in loaded.tags if t.entity == "tornado.cash"]
    assert len(tornado) == 39
    assert {(t.category, t.confidence, t.kind) for t in tornado} == {
        ("mixer", 90, TagKind.ENTITY)}  # GraphSense's mixing_service, in txmon's vocabulary
    assert {t.chain for t in loaded.tags if t.address.startswith("0x")} == {"evm", "unknown"}
    assert sorted(s.text for s in loaded.skipped) == [
        "0x326031E680419FB020A5361fF56384e166b5aa85", "3PKVM8fRTDav64MSMHEMbA9rXvo1bUc1hyS"]


def test_etherscan_label_shapes():
    folder = TAGDATA / "labels"
    loaded = loader("labels-json").load(sorted(folder.rglob("*.json")))
    ofac = [t for t in loaded.tags if t.list_id == "ofac-sanctions-lists"]
    assert len(ofac) == 72 and {t.category for t in ofac} == {"sanctioned"}
    sanctioned = [t for t in loaded.tags if t.list_id == "sanctioned"]
    assert len(sanctioned) == 4 and all(t.entity.startswith("OFAC SDN") for t in sanctioned)
    assert {t.category for t in loaded.tags if t.list_id == "tornado-cash"} == {"mixer"}
    assert {t.kind for t in loaded.tags} == {TagKind.ENTITY}


def test_token_list_reads_decimals_per_contract():
    loaded = loader("token-list").load(sorted((SEEDS / "tokens" / "ethereum-lists").glob("0x*")))
    decimals = {t.symbol: t.decimals for t in loaded.tokens}
    assert decimals == {"USDT": 6, "USDC": 6, "DAI": 18, "WBTC": 8, "WETH": 18, "BUSD": 18,
                        "TUSD": 18, "USDP": 18, "GUSD": 2}
    assert "0xdac17f958d2ee523a2206206994597c13d831ec7" in {t.contract for t in loaded.tokens}


def test_mof_without_files_loads_nothing_and_says_no_date():
    loaded = loader("mof").load([])
    assert (loaded.source, loaded.names, loaded.published) == ("jp-mof", [], None)
