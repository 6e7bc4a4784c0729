"""OFAC legacy CSV set on the real files: remarks joins, cut fragments, quirks, bad input."""

from __future__ import annotations

import pytest

from enrich.sources.base import Skipped
from enrich.sources.ofac_address_list import entries
from enrich.sources.ofac_csv import OfacCsvSource
from tests.unit.enrich.paths import ALT, COMMENTS, SDN_2022, SDN_2024, TAGDATA
from txmon.addresses import normalize
from txmon.errors import ListFormatError


def _listed(list_files) -> set[str]:
    return {normalize(raw).address for path in list_files for _, raw in entries(path)}


def test_2024_sdn_with_comments_yields_only_addresses_of_the_2024_09_27_lists(list_files):
    loaded = OfacCsvSource().load([SDN_2024, COMMENTS])
    parsed = {t.address for t in loaded.tags}
    assert len(parsed) == 586
    assert parsed <= _listed(list_files)
    assert loaded.skipped == []  # every cut remark is completed by SDN_COMMENTS.CSV
    assert len({t.list_id for t in loaded.tags}) == 55


CUT = "cut fragment at the 1,000-character limit"


def test_sdn_without_comments_is_refused_naming_the_missing_file():
    with pytest.raises(ListFormatError) as err:
        OfacCsvSource().load([SDN_2024, ALT])
    assert err.value.path == str(SDN_2024)
    assert "18 remarks are cut" in str(err.value)
    assert "SDN_COMMENTS.CSV, which was not given" in str(err.value)
    assert "--allow-truncated-remarks" in str(err.value)


def test_sdn_without_any_cut_remark_needs_no_comments(tmp_path):
    short = tmp_path / "sdn.csv"  # the first 200 rows of the 2022 file: no remark is cut
    short.write_bytes(b"\r\n".join(SDN_2022.read_bytes().split(b"\r\n")[:200]))
    loaded = OfacCsvSource().load([short])
    assert len(loaded.names) == 200 and loaded.warnings == []


def test_allowed_truncated_load_counts_what_it_lost():
    full = {t.address for t in OfacCsvSource().load([SDN_2024, COMMENTS]).tags}
    loaded = OfacCsvSource(allow_truncated_remarks=True).load([SDN_2024])
    assert (len({t.address for t in loaded.tags}), len(full)) == (280, 586)
    truncated = [s for s in loaded.skipped if s.reason != CUT]
    assert len(truncated) == 18
    assert "TORNADO CASH" in {s.text for s in truncated}
    assert loaded.warnings == [Skipped(
        str(SDN_2024), None, "18 truncated remarks",
        "cut at 1,000 characters and not completed from SDN_COMMENTS.CSV (it was not given); "
        "addresses past each cut are missing from this version")]


def test_sdn_alone_never_emits_the_cut_fragments(list_files):
    loaded = OfacCsvSource(allow_truncated_remarks=True).load([SDN_2024])
    fragments = {s.text for s in loaded.skipped if s.reason == CUT}
    assert fragments == {"XBT 1Gq", "XBT 1B64QRxf", "XBT 3", "XBT 1B11Ezqg3AXj",
                         "XBT 3F6bbvS1krsc1qR8FsbTDfYQyvkMm", "XBT 1N6XqS", "XBT "}
    assert {t.address for t in loaded.tags} <= _listed(list_files)
    eth = {t.address for t in loaded.tags if t.asset == "ETH"}
    assert len(eth) == 49  # FACTS.md: 49 complete ETH addresses without the comments


def test_tornado_cash_entry_is_joined_from_sdn_comments():
    loaded = OfacCsvSource().load([SDN_2024, COMMENTS])
    tornado = [t for t in loaded.tags if t.list_id == "39796"]
    assert len(tornado) == 90
    assert {t.entity for t in tornado} == {"TORNADO CASH"}
    assert {t.programs for t in tornado} == {("DPRK3", "CYBER2")}
    assert "0x169ad27a470d064dede56a2d3ff727986b15d52b" in {t.address for t in tornado}


def test_2022_names_programs_aliases_and_dob():
    loaded = OfacCsvSource(allow_truncated_remarks=True).load([SDN_2022, ALT])
    assert len(loaded.names) == 9377
    assert len(loaded.tags) == 124
    andreyev = next(p for p in loaded.names if p.list_id == "29703")
    assert andreyev.name == "ANDREYEV, Anton Nikolaeyvich"
    assert andreyev.party_type == "individual"
    assert andreyev.programs == ("CYBER2", "ELECTION-EO13848")
    assert andreyev.dob == ("03 Mar 1985",)
    assert "Russia" in andreyev.nationality


def test_consolidated_csv_set_with_add_alt_and_empty_comments():
    folder = TAGDATA / "ofac-cons-csv"
    loaded = OfacCsvSource().load(sorted(folder.glob("cons_*.csv")))
    assert len(loaded.names) == 20
    bank = loaded.names[0]
    assert bank.list_id == "4632"
    assert bank.name == "BANK MARKAZI JOMHOURI ISLAMI IRAN"
    assert "CENTRAL BANK OF IRAN" in bank.aliases
    assert bank.countries == ("Iran",)
    assert loaded.tags == []


def test_wrong_column_count_rejects_the_file_with_its_line(tmp_path):
    bad = tmp_path / "sdn.csv"
    lines = SDN_2022.read_bytes().split(b"\r\n")
    lines[4] = b'999,"BROKEN ROW",-0- '
    bad.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ListFormatError) as err:
        OfacCsvSource().load([bad])
    assert err.value.line == 5
    assert "expected 12 columns, found 3" in str(err.value)


def test_unknown_file_name_is_rejected(tmp_path):
    other = tmp_path / "names.csv"
    other.write_text("x")
    with pytest.raises(ListFormatError, match="not an OFAC legacy CSV name"):
        OfacCsvSource().load([SDN_2022, other])
