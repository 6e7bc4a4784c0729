"""The HTTP API: roles, validation at the edge, answers, the regulator's alert feed."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from alerts.store import AlertStore
from screening.api import create_app
from screening.auth import parse_tokens, role_of
from screening.service import ScreeningService
from tests.unit.alerts.sample import sample_alerts
from tests.unit.screening.test_service import SEMENOV_ETH
from txmon.errors import ConfigError

ANALYST = "analyst-token-0123456789"
REGULATOR = "regulator-token-0123456789"
ADMIN = "admin-token-0123456789abc"


@pytest.fixture
def client(service: ScreeningService) -> TestClient:
    alerts = AlertStore(service.store)
    for alert in sample_alerts(3):
        alerts.raise_alert(alert)
    tokens = {ANALYST: "analyst", REGULATOR: "regulator", ADMIN: "admin"}
    return TestClient(create_app(service, alerts, tokens))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_analyst_screens_an_address(client: TestClient) -> None:
    r = client.post("/v1/screen/address", headers=auth(ANALYST),
                    json={"address": SEMENOV_ETH, "chain": "ethereum", "value_jpy": 30_000_001})
    assert r.status_code == 200
    body = r.json()
    assert body["decision"] == "block"
    assert [x["code"] for x in body["reasons"]] == ["sanctioned-address", "mof-report"]
    assert body["confirmation"]["seq"] == 1


def test_admin_screens_a_name(client: TestClient) -> None:
    r = client.post("/v1/screen/name", headers=auth(ADMIN),
                    json={"name": "Роман Семенов", "dob": "1987-11-08", "country": "ru"})
    assert r.status_code == 200
    assert r.json()["decision"] == "block"
    assert r.json()["checked"] == {"name": "Роман Семенов", "dob": "1987-11-08", "country": "RU"}


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/screen/address", {"address": ""}, "address"),
    ("/v1/screen/address", {"address": SEMENOV_ETH, "chain": "dogecoin"}, "chain"),
    ("/v1/screen/name", {"name": "x", "dob": "1987-13-01"}, "dob"),
    ("/v1/screen/name", {"name": "x", "country": "Russia"}, "country"),
    ("/v1/screen/name", {}, "name"),
])
def test_invalid_input_is_a_422_naming_the_field(client: TestClient, path: str,
                                                 body: dict[str, str], field: str) -> None:
    r = client.post(path, json=body, headers=auth(ANALYST))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field


def test_bad_checksum_is_a_422(client: TestClient) -> None:
    r = client.post("/v1/screen/address", headers=auth(ANALYST),
                    json={"address": "0xdcbEfFBECcE100cCE9E4b153C4e15cB885643194"})
    assert r.status_code == 422
    [error] = r.json()["detail"]  # the shape of every 422: the field is named
    assert error["loc"] == ["body", "address"] and "checksum" in error["msg"]


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"address": SEMENOV_ETH, "value_jpy": 10**40}, "value_jpy", "less than or equal"),
    ({"address": SEMENOV_ETH, "value_jpy": "1_000"}, "value_jpy", "not a string"),
    ({"address": SEMENOV_ETH, "value_jpy": True}, "value_jpy", "not a string or boolean"),
    ({"address": SEMENOV_ETH, "chain": "bitcoin"}, "address", "not a bitcoin address"),
    ({"address": "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6", "chain": "ethereum"}, "address",
     "not a ethereum address"),
    ({"address": SEMENOV_ETH, "amount": 1}, "amount", "Extra inputs"),
])
def test_impossible_address_requests_are_422_and_not_recorded(
        client: TestClient, service: ScreeningService, body: dict[str, object], field: str,
        message: str) -> None:
    r = client.post("/v1/screen/address", headers=auth(ANALYST), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field and message in r.json()["detail"][0]["msg"]
    assert list(service.log.entries()) == []  # refused before anything was recorded


def test_huge_sequence_is_a_422_not_a_500(client: TestClient) -> None:
    r = client.get("/v1/alerts", params={"from_seq": 10**30}, headers=auth(REGULATOR))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "from_seq"]
    r = client.get("/v1/alerts", params={"from_seq": 2, "token": "x"}, headers=auth(REGULATOR))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "token"]
    r = client.post("/v1/screen/address", params={"valu_jpy": 1}, headers=auth(ANALYST),
                    json={"address": SEMENOV_ETH})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "valu_jpy"]


def test_a_large_body_is_a_413(client: TestClient, service: ScreeningService) -> None:
    body = b'{"address": "' + b"a" * 10_000_000 + b'"}'
    r = client.post("/v1/screen/address", headers={**auth(ANALYST),
                    "Content-Type": "application/json"}, content=body)
    assert r.status_code == 413 and r.text == "Content Too Large"  # by Content-Length
    chunked = client.post("/v1/screen/address", headers={**auth(ANALYST),
                          "Content-Type": "application/json"}, content=iter([body[:20_000]]))
    assert chunked.status_code == 413  # counted while reading: no Content-Length to trust
    assert chunked.json() == {"detail": "Content Too Large"}
    assert list(service.log.entries()) == []


def test_lookalike_and_unreadable_addresses_are_never_allowed(client: TestClient) -> None:
    fullwidth = "０ｘ" + "".join(chr(ord(c) + 0xFEE0) for c in SEMENOV_ETH[2:].lower())
    decisions = {a: client.post("/v1/screen/address", headers=auth(ANALYST),
                                json={"address": a}).json()["decision"]
                 for a in (fullwidth, SEMENOV_ETH[2:], "notanaddress")}
    assert decisions == {fullwidth: "block", SEMENOV_ETH[2:]: "block", "notanaddress": "review"}


def test_invisible_only_name_is_a_422(client: TestClient) -> None:
    r = client.post("/v1/screen/name", headers=auth(ANALYST), json={"name": "\u200b\u00ad"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "name"]


def test_offline_docs(client: TestClient) -> None:
    """/docs and /redoc reference only this server's own URLs, and those serve the assets."""
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", html.text)
        assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        assert "http://" not in html.text and "https://" not in html.text
        for url in urls:
            asset = client.get(url)
            assert asset.status_code == 200, url
            if url.endswith((".js", ".css")):
                assert len(asset.content) > 10_000, url
                kind = "javascript" if url.endswith(".js") else "css"
                assert kind in asset.headers["content-type"], url


def test_tokens_and_roles(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = {"address": SEMENOV_ETH}
    assert client.post("/v1/screen/address", json=body).status_code == 401
    wrong = client.post("/v1/screen/address", json=body, headers=auth("not-a-token-at-all"))
    assert wrong.status_code == 401 and "not-a-token" not in wrong.text
    assert client.post("/v1/screen/address", json=body,
                       headers=auth(REGULATOR)).status_code == 403
    assert ANALYST not in caplog.text and REGULATOR not in caplog.text


def test_regulator_reads_the_alert_feed(client: TestClient) -> None:
    r = client.get("/v1/alerts", params={"from_seq": 2, "limit": 5}, headers=auth(REGULATOR))
    assert r.status_code == 200
    page = r.json()
    assert [e["sequence"] for e in page["events"]] == [2, 3] and page["next_seq"] == 4
    assert page["events"][1]["prevhash"] == page["events"][0]["hash"]
    assert client.get("/v1/alerts", params={"limit": 0},
                      headers=auth(REGULATOR)).status_code == 422


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and set(health["lists"]) == {"ofac-sdn", "un-sc", "uk-hmt"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/screen/address", "/v1/screen/name", "/v1/alerts", "/healthz"} <= set(paths)


def test_token_parsing() -> None:
    from pydantic import SecretStr

    tokens = parse_tokens(SecretStr(f"{ANALYST}=analyst, {REGULATOR}=regulator"))
    assert tokens == {ANALYST: "analyst", REGULATOR: "regulator"}
    assert role_of(tokens, REGULATOR) == "regulator" and role_of(tokens, "x") is None
    with pytest.raises(ConfigError, match="entry 1") as info:
        parse_tokens(SecretStr("tiny7q=analyst"))
    assert "tiny7q" not in str(info.value)
    with pytest.raises(ConfigError, match="role"):
        parse_tokens(SecretStr(f"{ANALYST}=root"))


def test_metrics_count_decisions(client: TestClient) -> None:
    client.post("/v1/screen/address", headers=auth(ANALYST),
                json={"address": SEMENOV_ETH, "chain": "ethereum"})
    r = client.get("/metrics/")
    assert r.status_code == 200
    assert 'txmon_records_total{stage="screen-address-block"}' in r.text


def test_the_api_screens_against_mof_out_of_the_box(tmp_path) -> None:
    """The API's own wiring (txmon.app → seeded tag store): MOF is in, no load needed."""
    from screening.runtime import open_service
    from txmon.app import App
    from txmon.settings import Settings

    app = App(Settings(data_dir=tmp_path / "data"))
    try:
        client = TestClient(create_app(open_service(app), AlertStore(app.store),
                                       {ANALYST: "analyst"}))
        r = client.post("/v1/screen/address", headers=auth(ANALYST),
                        json={"address": "12w6v1qAaBc4W8h8C2Cu5SKFaKDSv3erUW"})
        body = r.json()
        assert (r.status_code, body["decision"]) == (200, "block")
        assert {x["evidence"]["source"] for x in body["reasons"]} >= {"jp-mof"}
        assert body["list_versions"]["jp-mof"].startswith("jp-mof@2026-03-05#")
    finally:
        app.close()


def test_a_store_outage_is_a_503_not_a_500(client: TestClient, service: ScreeningService,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis down: no decision without its confirmation record, and a retryable answer."""
    from txmon.errors import BackendUnavailable

    def down(*_args: object, **_kwargs: object) -> None:
        raise BackendUnavailable("Redis at redis://127.0.0.1:6379/0 is unreachable (test)")

    monkeypatch.setattr(service.store, "append_chained", down)
    monkeypatch.setattr(service.store, "ping", down)
    r = client.post("/v1/screen/address", headers=auth(ANALYST),
                    json={"address": SEMENOV_ETH, "chain": "ethereum"})
    assert (r.status_code, r.headers["retry-after"]) == (503, "1")
    assert r.json()["detail"].startswith("backend down: Redis at redis://127.0.0.1:6379/0")
    assert client.get("/healthz").status_code == 503
    monkeypatch.undo()
    assert client.get("/healthz").status_code == 200  # back by itself
