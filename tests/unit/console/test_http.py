"""The console over HTTP: sign-in and cookie flags, CSRF, bearer access, roles, the pages
and JSON endpoints on the demo's alerts, exports, and that nothing is fetched from outside."""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files

from fastapi.testclient import TestClient

from tests.unit.console.conftest import (
    ANALYST,
    DIRECT,
    REGULATOR,
    SUPERVISOR,
    SUPERVISOR2,
    TWO_HOPS,
    bearer,
    three_hops_id,
)


def _login(client: TestClient, token: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    response = client.post("/login", data={"token": token, "next": "/queue"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    return client.get("/v1/console/me").json()["csrf"]


def test_login_sets_a_strict_http_only_cookie_and_no_token_in_urls(client: TestClient) -> None:
    response = client.post("/login", data={"token": ANALYST}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https below
    assert ANALYST not in cookie and ANALYST not in response.headers["location"]
    assert client.get("/v1/console/me").json()["name"] == "alice"
    bad = client.post("/login", data={"token": "not-a-token-0123456789"})
    assert bad.status_code == 401 and "Unknown token" in bad.text


def test_cookie_is_secure_over_https(client: TestClient) -> None:
    response = client.post("https://127.0.0.1/login", data={"token": ANALYST},
                           follow_redirects=False)
    assert "Secure" in response.headers["set-cookie"]


def test_pages_need_a_user(client: TestClient) -> None:
    response = client.get("/queue?severity=high", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fqueue%3Fseverity%3Dhigh"
    assert client.get("/v1/console/alerts").status_code == 401


def test_queue_page_filters(client: TestClient) -> None:
    _login(client, ANALYST)
    page = client.get("/queue", params={"severity": "high"})
    assert page.status_code == 200
    assert page.text.count('data-href="/alerts/') == 2 and TWO_HOPS in page.text
    assert DIRECT not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_forms_need_the_csrf_token(client: TestClient) -> None:
    csrf = _login(client, ANALYST)
    forged = client.post("/queue/assign", data={"alert": DIRECT, "assignee": "alice",
                                                "action": "assign"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    json_forged = client.post("/v1/console/alerts/assign",
                              json={"alerts": [DIRECT], "assignee": "alice"})
    assert json_forged.status_code == 403
    done = client.post("/queue/assign", data={"alert": [DIRECT, TWO_HOPS], "assignee": "sam",
                                              "action": "assign", "csrf": csrf,
                                              "back": "/queue"}, follow_redirects=False)
    assert done.status_code == 303 and "2+alert" in done.headers["location"]
    mine = client.get("/v1/console/alerts", params={"assignee": "sam"}).json()
    assert sorted(r["id"] for r in mine["rows"]) == sorted([DIRECT, TWO_HOPS])
    trail = client.get(f"/v1/console/alerts/{DIRECT}").json()["trail"]
    assert [(c["by"], c["reason"]) for c in trail] == [("alice", "assigned to sam")]


def test_regulator_reads_but_never_changes(client: TestClient) -> None:
    assert client.get("/v1/console/alerts", headers=bearer(REGULATOR)).json()["total"] == 5
    refused = client.post("/v1/console/cases", json={"alerts": [DIRECT]},
                          headers=bearer(REGULATOR))
    assert refused.status_code == 403 and refused.json() == {
        "detail": "role regulator may not do this"}
    csrf = _login(client, REGULATOR)
    page = client.post("/cases", data={"alert": DIRECT, "csrf": csrf})
    assert page.status_code == 403 and "regulator" in page.text
    view = client.get("/regulator")
    assert "Chain intact: sequence 1–5 contiguous" in view.text


def test_case_over_json_with_four_eyes_and_report(client: TestClient) -> None:
    opened = client.post("/v1/console/cases", json={"alerts": [DIRECT], "title": "Potekhin"},
                         headers=bearer(ANALYST))
    assert opened.status_code == 201
    case_id = opened.json()["case"]["id"]
    for token, to, reason in [(ANALYST, "investigating", "start"),
                              (ANALYST, "escalated", "listed source"),
                              (SUPERVISOR, "released", "MOF permit on file")]:
        step = client.post(f"/v1/console/cases/{case_id}/status",
                           json={"to": to, "reason": reason}, headers=bearer(token))
        assert step.status_code == 200, step.text
    assert step.json()["case"]["status"] == "escalated"  # awaiting the second supervisor
    again = client.post(f"/v1/console/cases/{case_id}/status",
                        json={"to": "released", "reason": "me again"}, headers=bearer(SUPERVISOR))
    assert again.status_code == 403 and "second supervisor" in again.json()["detail"]
    final = client.post(f"/v1/console/cases/{case_id}/status",
                        json={"to": "released", "reason": "checked"}, headers=bearer(SUPERVISOR2))
    assert final.json()["case"]["decision"]["approved_by"] == "sam"
    assert final.json()["verified"] is True
    report = client.get(f"/cases/{case_id}/report.csv", headers=bearer(REGULATOR))
    rows = list(csv.reader(io.StringIO(report.text)))
    assert report.headers["content-disposition"].startswith("attachment")
    assert [r[5] for r in rows if r[0] == "trail"] == [
        "opened", "status", "status", "approval-requested", "status"]
    assert rows[-1][6] == "intact"
    html = client.get(f"/cases/{case_id}/report.html", headers=bearer(ANALYST))
    assert "four-eyes with sam" in html.text and "<svg" in html.text


def test_evidence_and_flow_endpoints(client: TestClient) -> None:
    alert_id = three_hops_id(client)
    evidence = client.get(f"/v1/console/alerts/{alert_id}", headers=bearer(ANALYST)).json()
    assert evidence["alert"]["rule"] == "sanctions-indirect"
    assert evidence["transfer"]["block_time"].startswith("2021-08-04T09:00:00")
    assert "ofac-sdn" in evidence["editions"]  # the list behind the indirect source
    flow = client.get(f"/v1/console/alerts/{alert_id}/flow", headers=bearer(ANALYST)).json()
    assert [e["amount"] for e in flow["edges"]] == [str(n * 10**18) for n in (100, 60, 25)]
    svg = client.get(f"/alerts/{alert_id}/graph.svg", headers=bearer(ANALYST))
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert f'filename="txmon-flow-{alert_id}.svg"' in svg.headers["content-disposition"]
    assert client.get("/v1/console/alerts/0000000000000000",
                      headers=bearer(ANALYST)).status_code == 404


def test_screening_page_records_a_confirmation(client: TestClient) -> None:
    csrf = _login(client, ANALYST)
    answer = client.post("/screen", data={
        "address": "0x7F367cC41522cE07553e823bf3be79A889DEbe1B", "chain": "ethereum",
        "csrf": csrf})
    assert answer.status_code == 200
    assert re.search(r'id="decision">block<', answer.text)
    assert re.search(r'id="confirmation">[^<]+<', answer.text)


def test_lists_page_names_editions_and_staleness(client: TestClient) -> None:
    lists = client.get("/v1/console/lists", headers=bearer(ANALYST)).json()
    sdn = next(item for item in lists if item["source"] == "ofac-sdn")
    assert [e["published"] for e in sdn["editions"]][:2] == ["2024-09-27", "2024-05-03"]
    assert sdn["stale"] is True and sdn["age_days"] > 30  # shipped lists are old editions


def test_every_asset_is_served_by_txmon() -> None:
    """No CDN, no web font, no remote script: only the SVG namespace may name a URL."""
    root = files("screening.console")
    for folder in ("templates", "static"):
        for item in (root / folder).iterdir():
            text = item.read_text("utf-8")
            urls = set(re.findall(r"https?://[^\s\"')]+", text)) - {"http://www.w3.org/2000/svg"}
            assert not urls, f"{folder}/{item.name} names {urls}"


def test_lists_show_diffs_and_the_retroactive_alerts_of_each_update(client: TestClient) -> None:
    lists = client.get("/v1/console/lists", headers=bearer(ANALYST)).json()
    sdn = {e["published"]: e for e in next(i for i in lists if i["source"] == "ofac-sdn")
           ["editions"]}
    assert sdn["2022-03-15"]["diff"] is None  # the first edition loaded
    may = sdn["2024-05-03"]
    assert may["diff"]["added"]["count"] > 0
    assert "0x722122df12d4e14e13ac3b6895a86e84145b6967" in may["diff"]["added"]["first"] or \
        may["diff"]["added"]["count"] > len(may["diff"]["added"]["first"])
    parties = may["diff"]["parties"]  # listed parties too: the SDN list of 2022 → 2024
    assert {k: v["count"] for k, v in parties.items()} == {
        "added": 6083, "removed": 495, "changed": 4430}
    assert parties["added"]["first"][:2] == ["17017 BM BANK JSC",
                                            "17018 PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"]
    assert sdn["2024-09-27"]["diff"]["parties"]["added"]["count"] == 0  # an address-only list
    page = client.get("/lists", headers=bearer(ANALYST)).text
    assert f"parties: +{parties['added']['count']} added" in page
    assert sorted(r["severity"] for r in may["raised"]) == ["critical", "critical"]
    assert all(r["retroactive"] for r in may["raised"])
    assert sdn["2024-09-27"]["raised"] == []


def test_graph_url_carries_expansions_and_filters(client: TestClient) -> None:
    alert_id = three_hops_id(client)
    subject = "0x262a992c403428b0efaac42abaa408f607f66acf"
    page = client.get(f"/alerts/{alert_id}/graph",
                      params={"expand": subject, "min": "1.5", "since": "2021-08-01"},
                      headers=bearer(ANALYST))
    assert page.status_code == 200
    assert "Collapse" in page.text and 'name="min" value="1.5"' in page.text
    assert f"graph.svg?expand={subject}" in page.text  # the download is the same view
    odd = client.get(f"/alerts/{alert_id}/graph", params={"min": "lots"},
                     headers=bearer(ANALYST))
    assert odd.status_code == 200  # a bad filter value is ignored, not a crash


def test_regulator_export_verifies_like_the_cli_export(client: TestClient) -> None:
    from alerts.feed import FeedHead, parse_ndjson, verify_feed

    response = client.get("/regulator/feed.ndjson", headers=bearer(REGULATOR))
    assert response.headers["content-disposition"].startswith("attachment")
    head = FeedHead.parse(response.headers["x-txmon-feed-head"])
    report = verify_feed(parse_ndjson(response.content.splitlines()), expect_head=head)
    assert (report.events, head.seq) == (5, 5)


def test_packaging_ships_every_console_file() -> None:
    """setup.py's package_data covers every template and static file (a wheel has them)."""
    import fnmatch
    import runpy
    from pathlib import Path

    import setuptools

    captured: dict[str, object] = {}
    real = setuptools.setup
    setuptools.setup = lambda **kw: captured.update(kw)  # type: ignore[assignment]
    try:
        runpy.run_path(str(Path(__file__).resolve().parents[3] / "setup.py"))
    finally:
        setuptools.setup = real
    patterns = captured["package_data"]["screening.console"]  # type: ignore[index]
    root = Path(str(files("screening.console")))
    shipped = [p.relative_to(root).as_posix() for folder in ("templates", "static")
               for p in (root / folder).iterdir()]
    assert shipped and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in shipped)


def test_queue_names_the_list_behind_indirect_alerts_and_never_shows_a_bare_zero(
        client: TestClient) -> None:
    rows = client.get("/v1/console/alerts", params={"source": "ofac-sdn"},
                      headers=bearer(ANALYST)).json()["rows"]
    assert len(rows) == 5  # the two indirect ones through their source's listing
    assert {r["rule"] for r in rows if r["hops"] >= 2} == {"sanctions-indirect"}
    zero = next(r for r in rows if r["id"].startswith("d6f449cff8c2"))
    assert (zero["amount"], zero["value_note"]) == ("0", "no value moved: failed call")
    page = client.get("/queue", headers=bearer(ANALYST)).text
    assert "no value moved: failed call" in page and ">0 ETH<" not in page


def test_replay_page_judges_pasted_transfers_and_stores_nothing(client: TestClient) -> None:
    from txmon.settings import SEEDS_DIR

    pasted = (SEEDS_DIR / "demo" / "illustrative.ndjson").read_text("utf-8")
    csrf = _login(client, ANALYST)
    page = client.post("/replay", data={"transfers": pasted, "mode": "point-in-time",
                                        "csrf": csrf})
    assert page.status_code == 200, page.text
    assert re.search(r'id="replay-count">3<', page.text)  # direct + two indirect, again
    assert "sanctions-indirect" in page.text and "not stored" in page.text
    assert client.get("/v1/console/alerts").json()["total"] == 5  # nothing entered the queue
    bad = client.post("/replay", data={"transfers": "{not json", "csrf": csrf})
    assert bad.status_code == 200 and "skipped line 1" in bad.text
    refused = client.post("/replay", data={"transfers": pasted, "as_of": "someday",
                                           "csrf": csrf})
    assert refused.status_code == 422 and "is not a date" in refused.text


def test_login_never_redirects_off_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post("/login", data={"token": ANALYST, "next": target},
                               follow_redirects=False)
        assert response.headers["location"] == "/queue", target
