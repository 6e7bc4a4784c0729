"""``txmon tags`` end to end on a fresh embedded data dir (seeded from seeds/ on first use)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.unit.enrich.paths import COMMENTS, SDN_2024, TAGDATA
from txmon.cli.main import main

TORNADO = "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc"


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "tags", *args])

    return invoke


def test_lookup_works_on_a_fresh_data_dir_and_honours_as_of(run):
    now = run("lookup", TORNADO, "--json")
    assert now.exit_code == 0, now.output
    answer = json.loads(now.stdout)
    assert answer["chain"] == "evm" and answer["tags"] == []
    assert answer["not_in_force"][0]["delisted_at"] == "2025-03-21"
    then = json.loads(run("lookup", TORNADO, "--as-of", "2023-01-01", "--json").stdout)
    assert [(t["kind"], t["entity"], t["dates_from"]) for t in then["tags"]] == [
        ("sanction", "TORNADO CASH", "override")]
    text = run("lookup", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq").stdout
    assert "SANCTION ofac-sdn: WANG, Mingming" in text
    assert "rests on a list version's publication date" in text


def test_load_diff_stats_and_bad_input(run):
    packs = TAGDATA / "graphsense"
    loaded = run("load", "graphsense", str(packs / "tornado_cash.yaml"), "--published",
                 "2022-08-10")
    assert loaded.exit_code == 0, loaded.output
    summary = json.loads(loaded.stdout.splitlines()[0])
    assert (summary["source"], summary["added_count"], summary["tags"]) == ("graphsense", 38, 39)
    stats = json.loads(run("stats").stdout)
    assert set(stats["sources"]) == {"ofac-sdn", "jp-mof", "token-list", "graphsense"}
    listing = run("versions", "--source", "ofac-sdn").stdout.splitlines()
    versions = [json.loads(line) for line in listing]
    assert [v["published"] for v in versions] == ["2022-03-15", "2024-05-03", "2024-09-27"]
    delta = json.loads(run("diff", versions[0]["version"], versions[1]["version"], "--json").stdout)
    assert delta["added_count"] == 463 and delta["removed_count"] == 0
    bad = run("lookup", TORNADO[:-1] + "C")
    assert bad.exit_code == 2 and "EIP-55" in bad.output
    not_mof = run("load", "mof", str(packs / "tornado_cash.yaml"))
    assert not_mof.exit_code != 0 and "expected .xlsx or .csv" in not_mof.output
    assert "ofac-address-list" in run("load", "--help").stdout


def test_sdn_csv_without_comments_needs_the_explicit_flag(run):
    as_new = ("--published", "2024-05-03", "--source", "sdn-csv-check")  # beside the seeds
    refused = run("load", "ofac-csv", str(SDN_2024), *as_new)
    assert refused.exit_code == 2
    assert "SDN_COMMENTS.CSV, which was not given" in refused.stderr
    assert "sdn-csv-check" not in json.loads(run("stats").stdout)["sources"]
    allowed = run("load", "ofac-csv", str(SDN_2024), *as_new, "--allow-truncated-remarks")
    assert allowed.exit_code == 0, allowed.output
    assert "warning " in allowed.stderr and "18 truncated remarks" in allowed.stderr
    assert json.loads(allowed.stdout.splitlines()[0])["added_count"] == 280
    complete = run("load", "ofac-csv", str(SDN_2024), str(COMMENTS), *as_new)
    assert complete.exit_code == 0 and "warning " not in complete.stderr
    other = run("load", "graphsense", str(TAGDATA / "graphsense" / "tornado_cash.yaml"),
                "--allow-truncated-remarks")
    assert other.exit_code == 2 and "ofac-csv only" in other.stderr


LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
WU_BTC = "1986rYHckYbJpGQJy6ornuMyD2N5MTqwDt"


def test_mof_is_seeded_beside_ofac_with_program_notice_and_edition(run):
    stats = json.loads(run("stats").stdout)["sources"]["jp-mof"]
    assert (stats["published"], stats["format"], stats["listed_addresses"], stats["names"]) == (
        "2026-03-05", "mof", 26, 2862)
    text = run("lookup", LAZARUS_ETH).stdout
    assert ("SANCTION jp-mof: Lazarus Group (ラザルス・グループ) [北朝鮮(協調;団体)] list id "
            "16-68, sanctioned; listed 2022-12-02 (source)") in text
    tags = json.loads(run("lookup", WU_BTC, "--as-of", "2023-08-31", "--json").stdout)
    mof = [t for t in tags["not_in_force"] if t["source"] == "jp-mof"]
    assert [(t["list_id"], t["listed_at"]) for t in mof] == [("17-79", "2023-09-01")]


def test_load_mof_csv_reports_typos_as_warnings(run):
    loaded = run("load", "mof", str(TAGDATA.parent / "mof" /
                                    "shisantouketsu20260305_excerpt.csv"))
    assert loaded.exit_code == 0, loaded.output
    summary = json.loads(loaded.stdout.splitlines()[0])
    assert (summary["source"], summary["tags"], summary["names"], summary["warnings"]) == (
        "jp-mof", 26, 7, 1)
    # Row 4 of the CSV as a spreadsheet shows it (its record, not its physical line).
    assert ("warning shisantouketsu20260305_excerpt.csv:3.テロリスト等 (1):4: '2002.4.20\\n"
            "200812.19改訂") in loaded.stderr  # the cell as repr() shows it
    assert "notice date typo '200812.19改訂' read as 2008-12-19" in loaded.stderr
    assert "(+0 -0 ~0)" in loaded.stderr  # the same 26 addresses as the seeded XLSX
