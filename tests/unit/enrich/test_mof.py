"""Japan MOF's asset-freeze list: the real 2026-03-05 edition (seeds/mof), its CSV form
(tests/data/mof, generated from real rows) and doctored layouts built here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import warnings
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from enrich.sources import loader, mof
from enrich.sources.mof import edition_date, parse
from enrich.tagstore import TagStore
from tests.unit.enrich.paths import ROOT, SEEDS
from txmon.errors import ListFormatError
from txmon.models import Tag, TagKind
from txmon.store.sqlite import SqliteStore

XLSX = SEEDS / "mof" / "shisantouketsu20260305.xlsx"
CSV = ROOT / "tests" / "data" / "mof" / "shisantouketsu20260305_excerpt.csv"
D = dt.date

# Live and deleted notices per regime number, counted independently of the loader.
PER_REGIME = {
    1: (10, 0), 2: (480, 317), 3: (12, 23), 4: (59, 5), 5: (65, 24), 6: (1, 195), 7: (9, 3),
    9: (44, 0), 10: (9, 0), 12: (5, 1), 13: (16, 0), 14: (75, 0), 15: (80, 0), 16: (75, 0),
    17: (84, 0), 19: (43, 0), 20: (78, 0), 21: (24, 2), 22: (2, 2), 23: (23, 1), 24: (59, 0),
    25: (31, 4), 26: (331, 5), 27: (18, 0), 28: (369, 0), 29: (752, 7), 30: (16, 0),
    31: (19, 0), 32: (12, 0), 33: (4, 0), 34: (7, 0), 35: (1, 0), 36: (1, 0), 37: (14, 1),
    38: (1, 1), 39: (10, 2), 40: (8, 0), 41: (0, 5), 42: (9, 0), 43: (4, 0), 44: (2, 0),
}
LAZARUS_ETH = ("0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B",
               "0x08723392Ed15743cc38513C4925f5e6be5c17243")
WU_BTC = ("1986rYHckYbJpGQJy6ornuMyD2N5MTqwDt", "16ti2EXaae5izfkUZ1Zc59HMcsdnHpP5QJ")
SIM_ETH = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"


@pytest.fixture(scope="module")
def edition():
    mof._CACHE.clear()  # parse for real here, and watch for openpyxl's warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = parse(XLSX)
    assert [str(w.message) for w in caught] == []  # the print-area warning is silenced
    return parsed


def _entry(edition, list_id):
    return next(e for e in edition.entries if e.list_id == list_id)


def test_every_regime_sheet_loads_with_its_counts(edition):
    counts: dict[int, list[int]] = {}
    for e in edition.entries:
        counts.setdefault(int(e.list_id.split("-")[0]), [0, 0])[e.removed is not None] += 1
    assert {k: tuple(v) for k, v in counts.items()} == PER_REGIME
    assert len(edition.entries) == 3460
    assert edition.lifted == {"8": D(2015, 12, 18), "11": D(2016, 7, 29), "18": D(2016, 1, 22)}
    assert edition_date(XLSX) == D(2026, 3, 5)
    loaded = loader("mof").load([XLSX])
    assert (loaded.source, loaded.published, len(loaded.names)) == ("jp-mof", D(2026, 3, 5), 2862)
    kinds = [p.party_type for p in loaded.names]
    assert (kinds.count("individual"), kinds.count("entity")) == (2007, 855)
    lifted = Tag("0x" + "11" * 20, "evm", "jp-mof", TagKind.SANCTION, "x", "sanctioned",
                 list_id="8-3")
    assert loaded.ended_on is not None and loaded.ended_on(lifted) == D(2015, 12, 18)
    deleted = dataclasses.replace(lifted, list_id="2-1")
    assert loaded.ended_on(deleted) == D(2011, 11, 18)
    assert loaded.ended_on(dataclasses.replace(lifted, list_id="16-68")) is None


def test_putin_field_by_field(edition):
    putin = _entry(edition, "29-1")
    assert (putin.regime, putin.program, putin.notice, putin.row) == (
        "29.ロシア連邦(個人)", "ロシア連邦(個人)", "1", 3)
    assert (putin.name_ja, putin.name_en, putin.party_type) == (
        "ウラジーミル・プーチン", "Vladimir Putin", "individual")
    assert putin.titles == ("ロシア連邦大統領", "President of the Russian Federation")
    assert putin.dob == ("1952-10-07",)  # a real Excel date
    assert putin.birthplace == ("レニングラード(現サンクトペテルブルク)(ロシア)",)
    assert (putin.designated, putin.amended, putin.removed) == (D(2022, 3, 1), (), None)
    party = next(p for p in loader("mof").load([XLSX]).names if p.list_id == "29-1")
    assert (party.source, party.name, party.aliases, party.programs, party.listed_on) == (
        "jp-mof", "ウラジーミル・プーチン", ("Vladimir Putin",), ("ロシア連邦(個人)",),
        D(2022, 3, 1))


def test_lazarus_group_field_by_field(edition):
    lazarus = _entry(edition, "16-68")
    assert (lazarus.name_ja, lazarus.name_en, lazarus.party_type) == (
        "ラザルス・グループ", "Lazarus Group", "entity")
    assert lazarus.aliases[:2] == ("ヒドゥン・コブラ", "オフィス91")
    assert "Hidden Cobra" in lazarus.aliases and "APT-C-26" in lazarus.aliases
    assert len(lazarus.aliases) == 22  # 11 in Japanese, the same 11 in English
    assert lazarus.addresses == ("北朝鮮平壌特別市普通江区域",)
    assert (lazarus.designated, lazarus.removed) == (D(2022, 12, 2), None)
    assert len(lazarus.crypto) == 8 and lazarus.crypto[0] == LAZARUS_ETH[0].lower()


def test_the_26_crypto_addresses_block_with_their_notice_dates(edition):
    assert len(edition.tags) == 26
    by_notice: dict[str, int] = {}
    for tag in edition.tags:
        by_notice[tag.list_id] = by_notice.get(tag.list_id, 0) + 1
    assert by_notice == {"16-68": 8, "17-78": 1, "17-79": 17}
    addresses = {t.address: t for t in edition.tags}
    for address in (*(a.lower() for a in LAZARUS_ETH), *WU_BTC, SIM_ETH):
        assert address in addresses
    wu = addresses[WU_BTC[0]]
    assert (wu.source, wu.kind.value, wu.chain, wu.entity, wu.programs) == (
        "jp-mof", "sanction", "bitcoin", "Wu Huihui (ウー・フイフイ)", ("北朝鮮(協調;個人)",))
    assert (wu.listed_at, wu.delisted_at, wu.dates_from) == (D(2023, 9, 1), None, "source")
    assert addresses[SIM_ETH].chain == "evm" and not edition.skipped


def test_aliases_dob_text_passports_and_places(edition):
    akhund = _entry(edition, "2-2")
    assert akhund.dob == ("circa 1955 to 1958", "circa 1945 to 1950")  # (a)1955年-1958年頃
    assert akhund.titles[:2] == ("Mullah(ムラー)", "Haji(ハッジ)")  # 称号 and 役職 both kept
    assert akhund.nationality == ("アフガニスタン",) and akhund.passports == ()  # 不明
    assert _entry(edition, "1-2").dob == ("1970",)  # "1970年生"
    wu = _entry(edition, "17-79")
    assert wu.dob == ("1988-12-15",)  # an Excel serial left without date format
    assert wu.passports == ("E59165201(中華人民共和国旅券)、旅券失効日:2025年9月1日",)
    assert wu.aliases == ("ウェイクミーアップアップアップ", "ファスト4リリース", "Wakemeupupup",
                          "Fast4release")
    aksyonov = _entry(edition, "26-2")
    assert aksyonov.aliases == ("Sergey AKSYONOV", "Sergei AKSENOV")
    assert "Khalid Al-Fawwaz" in _entry(edition, "3-4").aliases
    assert _entry(edition, "3-4").cross_reference == "*291"


def test_a_deleted_notice_is_delisted_and_not_screened(edition):
    deleted = _entry(edition, "2-1")
    assert (deleted.removed, deleted.designated, deleted.name) == (D(2011, 11, 18), None, "")
    assert "2-1" not in {p.list_id for p in loader("mof").load([XLSX]).names}


def test_date_typos_are_warnings_with_sheet_and_row(edition):
    trust = _entry(edition, "3-1")
    assert D(2008, 12, 19) in trust.amended and trust.designated == D(2002, 4, 20)
    typos = [(w.path, w.line, w.reason) for w in edition.warnings if "typo" in w.reason]
    assert typos == [
        ("shisantouketsu20260305.xlsx:2.タリバーン関係者等", 467,
         "notice date typo '2007.713改訂' read as 2007-07-13"),
        ("shisantouketsu20260305.xlsx:3.テロリスト等 (1)", 4,
         "notice date typo '200812.19改訂' read as 2008-12-19"),
    ]
    nameless = [w for w in edition.warnings if "without a name" in w.reason]
    assert [(w.line, w.text) for w in nameless] == [(276, "2012.10.25 274")]


def test_the_csv_edition_gives_the_same_entries(edition):
    from_csv = parse(CSV).entries
    assert [e.list_id for e in from_csv] == ["2-1", "2-2", "3-1", "16-68", "17-78", "17-79",
                                            "29-1", "29-2"]
    for entry in from_csv:
        same = _entry(edition, entry.list_id)
        assert dataclasses.replace(entry, row=same.row) == same
    loaded = loader("mof").load([CSV])
    assert len(loaded.tags) == 26 and loaded.published == D(2026, 3, 5)


@pytest.fixture(scope="module")
def sheet_29_rows():
    """The title, header and first four rows of the real sheet 29 (read once: ~2.5 s)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = load_workbook(XLSX, read_only=True)
    source = next(s for s in real.worksheets if s.title.startswith("29."))
    rows = [list(r) for r in source.iter_rows(min_row=1, max_row=6, values_only=True)]
    title = source.title
    real.close()
    return title, rows


def _doctored(tmp_path: Path, real, change) -> Path:
    """Real rows of sheet 29 in a new workbook, then ``change(sheet)`` applied."""
    title, rows = real
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    change(sheet)
    path = tmp_path / "shisantouketsu20260401.xlsx"
    book.save(path)
    return path


def test_a_changed_layout_fails_loudly_with_sheet_and_row(tmp_path, sheet_29_rows):
    def rename_name_columns(sheet):
        sheet["C2"], sheet["D2"] = "氏名", "Name"

    with pytest.raises(ListFormatError, match=r"\[29\.ロシア連邦\(個人\)\]:2: header has no"):
        parse(_doctored(tmp_path, sheet_29_rows, rename_name_columns))

    def drop_header(sheet):
        sheet["A2"] = "日付"

    with pytest.raises(ListFormatError, match=r"\[29\.ロシア連邦\(個人\)\]: no header row"):
        parse(_doctored(tmp_path, sheet_29_rows, drop_header))
    good = parse(_doctored(tmp_path, sheet_29_rows, lambda sheet: None))
    assert [e.name_en for e in good.entries] == ["Vladimir Putin", "Sergey Lavrov",
                                                 "Sergey Shoygu", "Valery Gerasimov"]


def test_a_later_deletion_delists_the_addresses_on_its_own_date(tmp_path):
    """Notice 68 deleted in a (constructed) later edition: its tags end on the deletion
    date MOF gives, not on the edition date, so as-of lookups stay right."""
    store = TagStore(SqliteStore(tmp_path / "store.db"))
    store.load(loader("mof").load([CSV]), "mof")
    later = tmp_path / "shisantouketsu20260410.csv"
    text = CSV.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lazarus = next(i for i, line in enumerate(text) if line.startswith("16."))
    rows = [*text[:lazarus], "16.北朝鮮(協調；団体),2026.4.1削除,68" + "," * 24 + "\n"]
    end = next(i for i in range(lazarus + 1, len(text)) if text[i].startswith("17."))
    later.write_text("".join(rows + text[end:]), encoding="utf-8-sig")
    delta = store.load(loader("mof").load([later]), "mof")
    assert len(delta.removed) == 8
    history = store.history(LAZARUS_ETH[0])
    assert [(t.listed_at, t.delisted_at, t.dates_from) for t in history] == [
        (D(2022, 12, 2), D(2026, 4, 1), "source")]
    assert store.lookup(LAZARUS_ETH[0], D(2026, 3, 31)) and not store.lookup(
        LAZARUS_ETH[0], D(2026, 4, 1))
    assert store.lookup(WU_BTC[0], D(2026, 4, 20))  # the others stay listed


def test_not_a_mof_file_is_rejected(tmp_path):
    other = tmp_path / "list.txt"
    shutil.copy(CSV, other)
    with pytest.raises(ListFormatError, match=r"expected \.xlsx or \.csv"):
        parse(other)


def test_the_disk_cache_gives_the_same_edition_and_never_a_stale_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TXMON_CACHE_DIR", str(tmp_path / "cache"))
    mof._CACHE.clear()
    first = parse(CSV)
    assert len(list((tmp_path / "cache").glob("mof-*.json"))) == 1
    mof._CACHE.clear()
    assert parse(CSV) == first  # read back from the cache
    edited = tmp_path / "shisantouketsu20260305.csv"
    edited.write_text(CSV.read_text(encoding="utf-8-sig").replace("Vladimir Putin", "V. Putin"),
                      encoding="utf-8-sig")
    mof._CACHE.clear()
    assert _entry(parse(edited), "29-1").name_en == "V. Putin"  # other bytes: other entry
    for cached in (tmp_path / "cache").glob("mof-*.json"):
        cached.write_text("{not json")
    mof._CACHE.clear()
    assert parse(CSV) == first  # a broken cache file is parsed past, not trusted
