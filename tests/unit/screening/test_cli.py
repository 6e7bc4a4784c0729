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
