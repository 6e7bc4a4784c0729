"""``txmon screen --batch``: NDJSON queries in, one decision per line out, on the real
OFAC / UN / UK list excerpts of tests/data/screening."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import screening.service as service_module
from screening.batch import screen_lines
from screening.confirmations import verify
from screening.matcher import NameQuery
from screening.service import ScreeningService
from txmon.cli.main import main

SEMENOV_ETH = "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193"

GOOD = [
    {"id": "c-1", "name": "Роман Семенов", "dob": "1987-11-08", "country": "ru"},
    {"id": 2, "name": "Taro Yamada", "dob": "1980-01-01", "country": "JP"},
    {"id": "c-3", "name": "Eric Badege"},  # UN (DRC regime): a name alone is a review
    {"id": "w-4", "address": SEMENOV_ETH, "chain": "ethereum", "value_jpy": 31_000_000,
     "transfer": "wd-77"},
]


def _lines(queries: list[object]) -> list[bytes]:
    return [q if isinstance(q, bytes) else orjson.dumps(q) + b"\n" for q in queries]


def test_batch_gives_the_one_off_decisions_and_records_each(service: ScreeningService) -> None:
    out = [o.body for o in screen_lines(service, _lines(GOOD), by="ops-batch")]
    assert [(o["id"], o["decision"]) for o in out] == [
        ("c-1", "block"), (2, "allow"), ("c-3", "review"), ("w-4", "block")]
    one_off = [
        service.screen_name(NameQuery("Роман Семенов", dt.date(1987, 11, 8), "RU"), record=False),
        service.screen_name(NameQuery("Taro Yamada", dt.date(1980, 1, 1), "JP"), record=False),
        service.screen_name(NameQuery("Eric Badege"), record=False),
        service.screen_address(SEMENOV_ETH, chain="ethereum", value_jpy=31_000_000,
                               record=False)]
    for got, want in zip(out, one_off, strict=True):
        assert got["reasons"] == want["reasons"]
    assert out[0]["reasons"][0]["evidence"]["list_id"] == "44718"
    assert out[2]["reasons"][0]["evidence"]["source"] == "un-sc"
    records = list(service.log.entries())
    assert [r["id"] for r in records] == [
        o["confirmation"]["id"] for o in out]
    assert {r["requested_by"] for r in records} == {"ops-batch"}
    assert records[3]["checked"]["transfer"] == "wd-77"


BAD = [
    (b"not json\n", None, "JSON"),
    (b"[1, 2]\n", None, "not a JSON object"),
    (b'{"id": "b-1", "name": "X", "address": "0x1"}\n', "b-1", "either 'name' or 'address'"),
    (b'{"id": "b-2", "name": "Ivan", "surname": "Petrov"}\n', "b-2", "surname"),
    (b'{"id": "b-3", "name": "Ivan", "dob": "2023-02-30"}\n', "b-3", "not a date"),
    (b'{"id": "b-4", "address": "' + SEMENOV_ETH[:-1].encode() + b'4"}\n', "b-4", "checksum"),
    (b'{"id": "b-5", "name": "\\u200b"}\n', "b-5", "no letters"),
    (b'{"id": true, "name": "Ivan"}\n', None, "id"),
]


@pytest.mark.parametrize(("raw", "query_id", "why"), BAD)
def test_a_bad_line_is_an_error_line_and_the_run_goes_on(
        service: ScreeningService, raw: bytes, query_id: str | None, why: str) -> None:
    ok = orjson.dumps(GOOD[0]) + b"\n"
    out = list(screen_lines(service, [raw, b"\n", ok]))
    assert [o.ok for o in out] == [False, True]
    assert out[0].body["id"] == query_id and out[0].body["line"] == 1
    assert why in out[0].body["error"]
    assert out[1].body["decision"] == "block" and out[1].line == 3
    assert service.store.log_head("screening").seq == 1  # the bad line recorded nothing


def test_the_name_index_is_built_once(service: ScreeningService,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    real = service_module.NameIndex
    monkeypatch.setattr(service_module, "NameIndex", lambda p: built.append(1) or real(p))
    service._checked = 0.0
    queries = [{"id": n, "name": name} for n, name in
               enumerate(["Roman Semenov", "Eric Badege", "Lazarus Group"] * 40)]
    out = list(screen_lines(service, _lines(queries)))
    assert len(out) == 120 and len(built) <= 1


def test_chunks_are_recorded_together_and_answer_alike(service: ScreeningService) -> None:
    queries = _lines([*GOOD, b"{broken\n", *GOOD[:2]]) * 30  # 210 lines, 30 bad
    one = [o.body for o in screen_lines(service, queries, by="a", chunk=1)]
    commits = []
    store = service.store
    real = store.append_chained_many
    store.append_chained_many = lambda log, items: commits.append(len(items)) or real(log, items)
    many = [o.body for o in screen_lines(service, queries, by="a", chunk=64)]
    assert commits == [55, 55, 55, 15]  # 64 lines a chunk; the bad ones record nothing
    assert [(o["id"], o.get("decision"), o.get("error")) for o in one] == [
        (o["id"], o.get("decision"), o.get("error")) for o in many]
    assert [o["confirmation"]["seq"] for o in many if "decision" in o] == list(range(181, 361))
    records = list(service.log.entries())
    assert verify(iter(records)) == 360
    assert [r["id"] for r in records[180:]] == [o["confirmation"]["id"] for o in many
                                                if "decision" in o]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("batch-cli")


def test_cli_batch_reads_a_file_in_chunks(data_dir: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.ndjson"
    queries.write_bytes(b"".join(_lines([GOOD[0], GOOD[1]] * 50)))
    with queries.open("rb") as stdin:
        done = subprocess.run([sys.executable, "-m", "txmon", "--data-dir", str(data_dir),
                               "screen", "--batch", "--progress"], stdin=stdin,
                              capture_output=True, timeout=300, check=False)
    out = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0
    assert [o["decision"] for o in out] == ["block", "allow"] * 50
    assert b"[##############################] 100.0% 100 lines, 0 errors" in done.stderr


def test_cli_batch_is_a_filter_with_errors_on_stdout_and_exit_1(data_dir: Path) -> None:
    stdin = b"".join(_lines([GOOD[0], b"{broken\n", GOOD[1]]))
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "screen", "--batch",
                                       "--progress", "--by", "kyc-team"], input=stdin)
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o.get("decision"), "error" in o) for o in lines] == [
        ("c-1", "block", False), (None, None, True), (2, "allow", False)]
    assert lines[0]["requested_by"] == "kyc-team"
    assert result.exit_code == 1
    assert "3 lines, 1 errors" in result.stderr
    assert "1 of 3 lines could not be screened" in result.stderr


def test_cli_batch_refuses_a_query_on_the_command_line(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "screen", "--batch",
                                       "--name", "x"], input=b"")
    assert result.exit_code == 2
