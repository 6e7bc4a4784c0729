"""FEFTA confirmation records (確認記録): who asked, when, what, which list editions, the
decision; listed and exported (CLI), served read-only (API), pruned only past retention."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from pydantic import SecretStr

from alerts.store import AlertStore
from enrich.index import TagIndex
from screening.api import create_app
from screening.auth import parse_tokens, parse_users, token_names
from screening.confirmation_export import COLUMNS
from screening.confirmations import ANCHOR, ConfirmationLog, RetentionError, verify
from screening.matcher import NameQuery
from screening.service import ScreeningService
from txmon.cli.main import main
from txmon.errors import ConfigError, FeedVerificationError
from txmon.wire import dumps, loads

SEMENOV_ETH = "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193"
SECRET = SecretStr("analyst-token-0123456789=analyst:ops-tokyo,"
                   "regulator-token-0123456789=regulator:fsa-inspector,"
                   "admin-token-0123456789abc=admin")


def test_token_entries_name_their_holder() -> None:
    assert parse_tokens(SECRET) == {"analyst-token-0123456789": "analyst",
                                    "regulator-token-0123456789": "regulator",
                                    "admin-token-0123456789abc": "admin"}
    assert token_names(SECRET)["analyst-token-0123456789"] == "ops-tokyo"
    assert token_names(SECRET)["admin-token-0123456789abc"] == "admin-token-3"
    with pytest.raises(ConfigError, match="a user name is"):
        parse_tokens(SecretStr("analyst-token-0123456789=analyst:<script>"))


@pytest.fixture
def client(service: ScreeningService) -> TestClient:
    app = create_app(service, AlertStore(service.store), parse_tokens(SECRET),
                     parse_users(SECRET))
    return TestClient(app)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_records_who_asked_and_the_regulator_reads_them(client: TestClient) -> None:
    analyst, regulator = _auth("analyst-token-0123456789"), _auth("regulator-token-0123456789")
    r = client.post("/v1/screen/address", headers=analyst, json={
        "address": SEMENOV_ETH, "chain": "ethereum", "value_jpy": 31_000_000,
        "transfer": "wd-W-77"})
    assert (r.status_code, r.json()["requested_by"]) == (200, "ops-tokyo")
    client.post("/v1/screen/name", headers=analyst, json={"name": "Taro Yamada"})
    assert client.post("/v1/screen/name", headers=regulator,
                       json={"name": "x"}).status_code == 403  # read only

    page = client.get("/v1/confirmations", headers=regulator).json()
    first, second = page["records"]
    assert page["next_seq"] == 3
    assert (first["seq"], first["decision"], first["requested_by"]) == (1, "block", "ops-tokyo")
    assert first["checked"]["transfer"] == "wd-W-77"
    assert first["checked"]["address"] == SEMENOV_ETH.lower()
    assert first["checked"]["value_jpy"] == 31_000_000
    assert set(first["list_versions"]) == {"ofac-sdn", "un-sc", "uk-hmt"}
    assert [x["code"] for x in first["reasons"]] == ["sanctioned-address", "mof-report"]
    assert first["at"] == "2026-11-29T12:00:00Z"
    assert second["checked"]["name"] == "Taro Yamada"
    assert verify(iter(page["records"])) == 2  # served as stored: the chain checks

    only_block = client.get("/v1/confirmations?decision=block", headers=regulator).json()
    assert [x["seq"] for x in only_block["records"]] == [1]
    assert client.get("/v1/confirmations?from=2026-11-30",
                      headers=regulator).json()["records"] == []
    assert client.get("/v1/confirmations?from_seq=2&limit=1",
                      headers=regulator).json()["next_seq"] == 3
    for bad in ("limit=0", "limit=1001", "decision=maybe", "from=2026-13-01", "seq=1"):
        assert client.get(f"/v1/confirmations?{bad}", headers=regulator).status_code == 422
    assert client.get("/v1/confirmations").status_code == 401
    assert "/v1/confirmations" in client.get("/openapi.json").json()["paths"]


def test_prune_keeps_the_retention_and_the_chain_verifiable(service: ScreeningService) -> None:
    old = ScreeningService(service.store, TagIndex(service.tag_store),
                           clock=lambda: dt.datetime(2014, 5, 1, tzinfo=dt.UTC))
    for name in ("Ivan Petrov", "Roman Semenov"):
        old.screen_name(NameQuery(name), by="ops")
    service.screen_name(NameQuery("Taro Yamada"), by="ops")  # 2026-11-29
    log = ConfirmationLog(service.store)
    today = dt.date(2026, 11, 29)
    with pytest.raises(RetentionError, match="younger than the 10-year retention"):
        log.prune(dt.date(2020, 1, 1), today, 10, "dpo")
    assert log.prune(dt.date(2016, 11, 29), today, 10, "dpo") == 2
    assert [e["seq"] for e in log.entries()] == [3]
    anchor = log.anchor()
    assert (anchor["seq"], anchor["by"], anchor["retention_years"]) == (2, "dpo", 10)
    assert verify(log.entries(), anchor) == 1
    with pytest.raises(FeedVerificationError):
        verify(log.entries())  # without the anchor the first link is missing: not hidden
    forged = {**anchor, "hash": "0" * 64}
    service.store.put(ANCHOR, dumps(forged))
    with pytest.raises(FeedVerificationError):
        verify(log.entries(), log.anchor())
    service.store.put(ANCHOR, dumps(anchor))
    assert log.prune(dt.date(2016, 11, 29), today, 10, "dpo") == 0  # nothing more is old
    service.screen_name(NameQuery("Eric Badege"), by="ops")  # appends after a prune link
    assert verify(log.entries(), log.anchor()) == 2


def _run(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], env=env)


def test_cli_list_export_verify_and_prune(tmp_path: Path) -> None:
    assert _run(tmp_path, "screen", SEMENOV_ETH, "--by", "alice", "--transfer", "wd-1",
                "--value-jpy", "31000000").exit_code == 0
    assert _run(tmp_path, "screen", "--name", "Taro Yamada", "--by", "bob").exit_code == 0

    listed = _run(tmp_path, "confirmations", "list", "--decision", "block", "--json")
    [record] = [orjson.loads(line) for line in listed.stdout.splitlines()]
    assert (record["requested_by"], record["checked"]["transfer"]) == ("alice", "wd-1")
    human = _run(tmp_path, "confirmations", "list").stdout.splitlines()
    assert human[0].startswith("#1 ") and "BLOCK" in human[0] and human[0].endswith("by alice")
    assert "by bob" in human[1]

    out = tmp_path / "records.csv"
    assert _run(tmp_path, "confirmations", "export", "--format", "csv", "-o",
                str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert (rows[0]["decision"], rows[0]["requested_by"], rows[0]["transfer"],
            rows[0]["value_jpy"]) == ("block", "alice", "wd-1", "31000000")
    assert "ofac-sdn=ofac-sdn@" in rows[0]["list_versions"]
    assert "jp-mof=" in rows[0]["list_versions"]  # the MOF edition is in force by default
    assert rows[0]["reasons"].startswith("block sanctioned-address: listed by ofac-sdn")
    assert (rows[1]["name"], rows[1]["decision"]) == ("Taro Yamada", "allow")

    nd = _run(tmp_path, "confirmations", "export", "--format", "ndjson")
    records = [loads(line) for line in nd.stdout.splitlines()]
    assert verify(iter(records)) == 2
    assert "2 confirmation record(s) verified" in _run(tmp_path, "confirmations",
                                                       "verify").stderr

    refused = _run(tmp_path, "confirmations", "prune", "--before", "2026-01-01")
    assert refused.exit_code == 2 and "10-year retention" in refused.stderr
    short = _run(tmp_path, "confirmations", "prune", env={
        "TXMON_CONFIRMATION_RETENTION_YEARS": "1"})
    assert short.exit_code == 0 and "pruned 0 confirmation record(s)" in short.stderr
