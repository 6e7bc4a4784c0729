"""MOF cell readers on the shapes seen in the 2026-03-05 edition, and their failure modes."""

from __future__ import annotations

import datetime as dt

from enrich.sources.mof_cells import crypto_addresses, names, notice_dates, notice_number

D = dt.date


def test_notice_dates_designated_amended_removed_and_repairs():
    dates = notice_dates("2001.9.22\n2008.6.25改訂\n2021.2.24 削除\n（38．と同一人物）")
    assert (dates.designated, dates.amended, dates.removed) == (
        D(2001, 9, 22), (D(2008, 6, 25),), D(2021, 2, 24))
    assert dates.notes == ("(38.と同一人物)",) and dates.problems == ()
    typo = notice_dates("2002.4.20\n200812.19改訂")
    assert typo.amended == (D(2008, 12, 19),) and "read as 2008-12-19" in typo.problems[0]
    ambiguous = notice_dates("2002.4.20\n2008111改訂")  # 2008-1-11 or 2008-11-1: not guessed
    assert ambiguous.amended == () and "line dropped" in ambiguous.problems[0]


def test_notice_numbers():
    assert [(n.number, n.mark, n.ref_mark + n.ref_number) for n in map(
        notice_number, ["1", 7, "1(*186)", "*186", "#47", "１２"])] == [
        ("1", "", ""), ("7", "", ""), ("1", "", "*186"), ("186", "*", ""), ("47", "#", ""),
        ("12", "", "")]
    assert notice_number("第1号") is None


def test_alias_cells():
    assert names("A・カビール\n (a.k.a.: A. Kabir)") == ("A・カビール", "A. Kabir")
    assert names("不明") == ()
    assert names("エフ・ティー・ビー；ムヨクバンク\nFTB; Mooyokbank") == (
        "エフ・ティー・ビー", "ムヨクバンク", "FTB", "Mooyokbank")
    assert names("(a)アリ、ヤシン・バイナフ、(b)バイナフ、ヤシン\n(a)ALI, Yasin Baynah (b)BAYNAH, "
                 "Yasin") == ("アリ、ヤシン・バイナフ", "バイナフ、ヤシン", "ALI, Yasin Baynah",
                              "BAYNAH, Yasin")


def test_crypto_addresses_stop_at_the_next_fact_and_reject_bad_checksums():
    found = crypto_addresses("出生地：北朝鮮\n暗号資産アドレス：\n"
                             "0x08723392Ed15743cc38513C4925f5e6be5c17243；\n"
                             "0x08723392Ed15743cc38513C4925f5e6be5c17244；\n性別：男性")
    assert [a.address for a in found.found] == ["0x08723392ed15743cc38513c4925f5e6be5c17243"]
    assert [t for t, _ in found.rejected] == ["0x08723392Ed15743cc38513C4925f5e6be5c17244"]
