"""False-positive exceptions through the console: a supervisor records one from a real
customer-name-match alert (a demo customer named like OFAC SDN "POTEKHIN, Danil"), the
re-screen allows with an ``exception`` reason and raises nothing new, an analyst or
regulator is refused (403), an address is never excepted, and the log verifies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ingest.exchange.mapping import effects
from screening.alerting import CUSTOMER_RULE
from screening.api import create_app
from screening.auth import parse_tokens, parse_users
from screening.customers import CustomerScreening
from screening.runtime import open_service
from screening.service import ScreeningService
from tests.unit.console.conftest import ANALYST, REGULATOR, SUPERVISOR, bearer
from txmon.app import App

ACCOUNT = "A-77"


@pytest.fixture
def world(demo_app: App) -> Iterator[tuple[TestClient, ScreeningService, CustomerScreening]]:
    service = open_service(demo_app)
    service.store.put_many(effects({
        "v": 1, "id": "e1", "type": "account.opened", "time": "2026-11-01T00:00:00Z",
        "account": ACCOUNT, "customer": {"type": "natural", "nationality": ["RU"],
                                         "names": [{"full": "Danil Potekhin"}]}}).items)
    screening = CustomerScreening(service, demo_app.alert_store)
    assert screening.customer(ACCOUNT, "e1")["decision"] == "review"  # possible match
    tokens = demo_app.settings.api_tokens
    api = create_app(service, demo_app.alert_store, parse_tokens(tokens), parse_users(tokens),
                     demo_app.feed_signer)
    with TestClient(api, base_url="http://127.0.0.1") as client:
        yield client, service, screening


def _customer_alert(client: TestClient) -> dict:
    rows = client.get("/v1/console/alerts", params={"rule": CUSTOMER_RULE},
                      headers=bearer(ANALYST)).json()["rows"]
    [row] = rows
    return client.get(f"/v1/console/alerts/{row['id']}", headers=bearer(ANALYST)).json()


def _body(found: dict, **change: object) -> dict:
    party = found["alert"]["evidence"]["parties"][0]
    today = dt.datetime.now(dt.UTC).date()
    return {"subject_kind": "customer", "subject": ACCOUNT, "source": party["source"],
            "list_id": party["list_id"], "reason": "passport: born 1990, not the listed",
            "expires": (today + dt.timedelta(days=90)).isoformat(),
            "review_by": (today + dt.timedelta(days=60)).isoformat(),
            "alert": found["alert"]["id"], **change}


def test_supervisor_records_an_exception_and_the_rescreen_allows(world) -> None:
    client, service, screening = world
    alert = _customer_alert(client)
    page = client.get(f"/alerts/{alert['alert']['id']}", headers=bearer(SUPERVISOR))
    assert "Record false-positive exception" in page.text
    assert "rests on a name match" in page.text and "rests on its exposure" not in page.text
    as_analyst = client.get(f"/alerts/{alert['alert']['id']}", headers=bearer(ANALYST))
    assert "Record false-positive exception" not in as_analyst.text  # supervisors' form
    made = client.post("/v1/console/exceptions", json=_body(alert), headers=bearer(SUPERVISOR))
    assert made.status_code == 201, made.text
    exc = made.json()["exception"]
    assert (exc["id"], exc["state"], exc["author"]) == ("FP-000001", "active", "sam")

    answer = screening.customer(ACCOUNT, "e2")
    assert answer["decision"] == "allow"
    [reason] = [r for r in answer["reasons"] if r["code"] == "exception"]
    assert reason["evidence"]["exception"]["id"] == "FP-000001"
    assert reason["evidence"]["list_id"] == exc["list_id"]
    assert screening.raised == 1  # only the first screening's alert
    listed = client.get("/v1/console/exceptions", headers=bearer(REGULATOR)).json()
    assert listed["verified"] is True
    assert [e["id"] for e in listed["exceptions"]] == ["FP-000001"]
    html = client.get("/exceptions", headers=bearer(ANALYST)).text
    assert "FP-000001" in html and "Log intact" in html
    assert f'href="/exceptions?subject={ACCOUNT}"' in client.get(
        f"/alerts/{alert['alert']['id']}", headers=bearer(ANALYST)).text
    assert "FP-000001" in client.get("/exceptions", params={"subject": ACCOUNT},
                                     headers=bearer(ANALYST)).text
    assert "FP-000001" not in client.get("/exceptions", params={"subject": "A-1"},
                                         headers=bearer(ANALYST)).text

    revoked = client.post("/v1/console/exceptions/FP-000001/revoke",
                          json={"reason": "new evidence"}, headers=bearer(SUPERVISOR))
    assert revoked.json()["exception"]["state"] == "revoked"
    assert screening.customer(ACCOUNT, "e3")["decision"] == "review"
    html = client.get("/exceptions", headers=bearer(SUPERVISOR)).text
    assert "by sam: new evidence" in html and 'action="/exceptions/FP-000001/revoke"' not in html
    assert service.exceptions.verify() is None


@pytest.mark.parametrize("token", [ANALYST, REGULATOR])
def test_only_supervisors_and_admins_record_or_revoke(world, token: str) -> None:
    client, service, _ = world
    alert = _customer_alert(client)
    refused = client.post("/v1/console/exceptions", json=_body(alert), headers=bearer(token))
    assert refused.status_code == 403
    revoke = client.post("/v1/console/exceptions/FP-000001/revoke", json={"reason": "x"},
                         headers=bearer(token))
    assert revoke.status_code == 403
    assert service.exceptions.all() == []


def test_an_address_or_a_foreign_party_is_refused(world) -> None:
    client, service, _ = world
    alert = _customer_alert(client)
    address = _body(alert, subject_kind="address", alert="",
                    subject="0x8589427373D6D84E98730D7795D8f6f8731FDA16")
    refused = client.post("/v1/console/exceptions", json=address, headers=bearer(SUPERVISOR))
    assert refused.status_code == 409
    assert "listed address always blocks" in refused.json()["detail"]
    other = client.post("/v1/console/exceptions", json=_body(alert, list_id="1"),
                        headers=bearer(SUPERVISOR))
    assert other.status_code == 409 and "is not about customer" in other.json()["detail"]
    long = _body(alert, expires=(dt.datetime.now(dt.UTC).date()
                                 + dt.timedelta(days=400)).isoformat())
    assert client.post("/v1/console/exceptions", json=long,
                       headers=bearer(SUPERVISOR)).status_code == 409
    missing = client.post("/v1/console/exceptions/FP-000009/revoke", json={"reason": "x"},
                          headers=bearer(SUPERVISOR))
    assert missing.status_code == 404
    assert service.exceptions.all() == []


def test_the_alert_page_form_records_one(world) -> None:
    client, service, _ = world
    alert = _customer_alert(client)
    client.post("/login", data={"token": SUPERVISOR, "next": "/queue"})
    csrf = client.get("/v1/console/me").json()["csrf"]
    done = client.post("/exceptions", data={**_body(alert), "csrf": csrf,
                                             "back": f"/alerts/{alert['alert']['id']}"},
                       follow_redirects=False)
    assert done.status_code == 303 and "FP-000001" in done.headers["location"]
    [exc] = service.exceptions.all()
    assert (exc.subject, exc.alert, exc.author) == (ACCOUNT, alert["alert"]["id"], "sam")
    undated = client.post("/exceptions", data={**_body(alert), "expires": "", "csrf": csrf})
    assert undated.status_code == 409 and "expires" in undated.text
    forged = client.post("/exceptions", data=_body(alert))
    assert forged.status_code == 403 and "CSRF" in forged.text


def test_exceptions_are_in_the_openapi_document(world) -> None:
    client, _, _ = world
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/v1/console/exceptions"])
    assert "post" in paths["/v1/console/exceptions/{exception_id}/revoke"]
