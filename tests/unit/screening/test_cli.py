"""``txmon screen`` and ``txmon ingest exchange`` through the real CLI, embedded backends
seeded from seeds/ (the full OFAC SDN + ALT)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.unit.exchange.stream import event
from txmon.bus.base import EXCHANGE_EVENTS, TRANSFERS
from txmon.bus.embedded import EmbeddedBus
from txmon.cli.main import main

SEMENOV_ETH = "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643193"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def test_screen_address_json(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", SEMENOV_ETH, "--chain", "ethereum",
                       "--value-jpy", "31000000", "--json")
    assert code == 0
    answer = orjson.loads(out)
    assert answer["decision"] == "block"
    assert [r["code"] for r in answer["reasons"]] == ["sanctioned-address", "mof-report"]
    assert answer["reasons"][0]["evidence"]["entity"] == "SEMENOV, Roman"
    assert "ofac-sdn" in answer["list_versions"]


def test_screen_name_human(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", "--name", "Роман Семенов", "--dob", "1987-11-08",
                       "--country", "ru")
    assert code == 0
    assert out.startswith("BLOCK  (name Роман Семенов, dob 1987-11-08, country RU)")
    assert "strong match with ofac-sdn 44718 'SEMENOV, Roman'" in out


@pytest.mark.parametrize("args", [
    ["screen"], ["screen", SEMENOV_ETH, "--name", "x"], ["screen", "--name", "x", "--dob", "87"],
    ["screen", SEMENOV_ETH, "--country", "RU"], ["screen", "--name", "x", "--country", "RUS"],
])
def test_screen_usage_errors(data_dir: Path, args: list[str]) -> None:
    code, _, _ = run(data_dir, *args)
    assert code == 2


def test_broken_address_is_an_error_not_a_decision(data_dir: Path) -> None:
    code, out, err = run(data_dir, "screen", SEMENOV_ETH[:-1] + "4")
    assert (code, out) == (2, "") and "checksum" in err


def test_unrecognised_address_is_a_recorded_review(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", "notanaddress", "--json")
    answer = orjson.loads(out)
    assert (code, answer["decision"]) == (0, "review")
    assert [r["code"] for r in answer["reasons"]] == ["unrecognised-address"]
    assert answer["confirmation"]["seq"] >= 1


def test_unverifiable_listed_address_still_blocks(data_dir: Path) -> None:
    xmr = ("884Bz8UH63aYsjVdkfWfScRYWZGGNbjFL7pztqvWNSrtYT4reFSwyvkCj9KEGUtheHhhMUj87ciTBFyzoes"
           "rMJ4L1FvSoxL")  # Monero, in the SDN list: no checksum we verify, found verbatim
    code, out, _ = run(data_dir, "screen", xmr, "--json")
    answer = orjson.loads(out)
    assert (code, answer["decision"]) == (0, "block")
    assert [r["code"] for r in answer["reasons"]] == ["sanctioned-address", "unrecognised-address"]


def test_address_without_0x_blocks(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", "０ｘ" + SEMENOV_ETH[2:], "--chain", "ethereum")
    assert code == 0 and out.startswith("BLOCK  (address 0xdcbeffbecce100cce9e4b153c4e15cb8856")


@pytest.mark.parametrize(("args", "message"), [
    (["screen", SEMENOV_ETH, "--chain", "bitcoin"], "not a bitcoin address"),
    (["screen", SEMENOV_ETH, "--chain", "dogecoin"], "dogecoin"),
    (["screen", SEMENOV_ETH, "--value-jpy", str(10**40)], "value-jpy"),
    (["screen", "--name", "\u200b\u00ad"], "no letters"),
])
def test_impossible_input_is_an_error(data_dir: Path, args: list[str], message: str) -> None:
    code, out, err = run(data_dir, *args)
    assert (code, out) == (2, "") and message in err


def test_ingest_exchange_command(data_dir: Path) -> None:
    bus = EmbeddedBus(data_dir / "bus.sqlite")
    producer = bus.producer()
    producer.send(EXCHANGE_EVENTS, orjson.dumps(event(1, "internal.transfer", "A1", amount="7",
                  asset={"chain": "bitcoin", "symbol": "BTC", "decimals": 8},
                  to_account="A2")), key=b"A1")
    producer.send(EXCHANGE_EVENTS, b"{broken", key=b"A1")
    producer.flush()
    code, _, err = run(data_dir, "ingest", "exchange", "--idle-exit", "0.5")
    assert code == 0
    assert "1 events, 1 transfers, 1 dead letters" in err
    [message] = bus.consumer([TRANSFERS], "check").poll(timeout=0.5)
    assert orjson.loads(message.value)["id"] == "exchange:int-ev-1:0"


def test_access_log_redacts_tokens(data_dir: Path) -> None:
    """A real ``txmon api --access-log``: its log shows requests, never a token in the URL."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    token, secret = "analyst-token-0123456789", "SECRET-IN-URL-0123456789"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TXMON_API_TOKENS": f"{token}=analyst"}
    server = subprocess.Popen(
        [sys.executable, "-m", "txmon", "--data-dir", str(data_dir), "api", "--port", str(port),
         "--access-log"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "txmon api did not start"
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        httpx.get(f"{base}/v1/alerts?from_seq=1&token={secret}", headers=auth)
        httpx.get(f"{base}/v1/alerts?access_token={secret}&limit=5")
        httpx.post(f"{base}/v1/screen/address?{secret}", headers=auth,
                   json={"address": SEMENOV_ETH})
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[0].decode()
    assert "GET /v1/alerts?from_seq=1&token=[redacted] HTTP/1.1\" 422" in log
    assert "GET /v1/alerts?access_token=[redacted]&limit=5 HTTP/1.1\" 401" in log
    assert "POST /v1/screen/address?[redacted] HTTP/1.1\" 422" in log  # no query there
    assert secret not in log and token not in log


def test_a_mof_address_blocks_with_a_jp_mof_reason(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", "0x3e37627dEAA754090fBFbb8bd226c1CE66D255e9",
                       "--json")
    assert code == 0
    answer = orjson.loads(out)
    assert answer["decision"] == "block"
    mof = [r for r in answer["reasons"] if r["evidence"].get("source") == "jp-mof"]
    assert [(r["code"], r["evidence"]["list_id"], r["evidence"]["programs"],
             r["evidence"]["listed_at"]) for r in mof] == [
        ("sanctioned-address", "16-68", ["北朝鮮(協調;団体)"], "2022-12-02")]
    assert answer["list_versions"]["jp-mof"].startswith("jp-mof@2026-03-05#")
    assert mof[0]["evidence"]["same_party"] == [{"source": "jp-mof", "list_id": "16-68"},
                                                {"source": "ofac-sdn", "list_id": "27307"}]


def test_mof_parties_are_in_the_name_index(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", "--name", "ウラジーミル・プーチン", "--json")
    assert code == 0
    hits = [r["evidence"] for r in orjson.loads(out)["reasons"] if r["code"] == "name-match"]
    mof = [h for h in hits if h["source"] == "jp-mof"]
    assert mof and (mof[0]["list_id"], mof[0]["party"], mof[0]["programs"]) == (
        "29-1", "ウラジーミル・プーチン", ["ロシア連邦(個人)"])


def test_the_same_person_on_ofac_and_mof_is_one_hit(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "screen", "--name", "Vladimir Putin", "--dob", "1952-10-07",
                       "--json")
    assert code == 0
    hits = [r for r in orjson.loads(out)["reasons"] if r["code"] == "name-match"
            and r["evidence"]["verdict"] == "strong"]
    assert len(hits) == 1  # linked by name + full DOB, not two unrelated hits
    assert hits[0]["evidence"]["same_party"] == [{"source": "jp-mof", "list_id": "29-1"},
                                                 {"source": "ofac-sdn", "list_id": "35096"}]
    assert "strong match with jp-mof 29-1 / ofac-sdn 35096" in hits[0]["detail"]
    code, out, _ = run(data_dir, "screen", "--name", "Lazarus Group", "--json")
    lazarus = [r["evidence"] for r in orjson.loads(out)["reasons"]
               if r["evidence"].get("list_id") in ("16-68", "27307")]
    assert len(lazarus) == 1 and {"source": "ofac-sdn", "list_id": "27307"} in lazarus[0][
        "same_party"]  # linked by their shared Ethereum addresses
