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
