"""schemathesis against the API's own /openapi.json, served by uvicorn on loopback.

Every operation, positive and negative examples, every built-in check (no server error,
status codes and content types declared, response bodies match their schemas, invalid
data rejected) — except ``positive_data_acceptance``, which expects every schema-valid
request to succeed: an address can be schema-valid and still fail its checksum, which
JSON Schema cannot express. In its place :func:`semantic_rejection_only` accepts a 422
for schema-valid data only when it is a semantic error (``invalid_address`` /
``invalid``), never a request-model error — so the document and the models agree on
everything the document can say. Bounded: ``MAX_EXAMPLES`` per operation and mode
(about 10 s on the development machine).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
import uvicorn
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from alerts.store import AlertStore
from screening.api import create_app
from screening.service import ScreeningService
from tests.unit.alerts.sample import sample_alerts

ADMIN = "admin-token-0123456789abc"
MAX_EXAMPLES = 40
SEMANTIC = {"invalid_address", "invalid"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def api_url(service: ScreeningService) -> Iterator[str]:
    """The real API (uvicorn, loopback, SQLite store with the test lists)."""
    alerts = AlertStore(service.store)
    for alert in sample_alerts(3):
        alerts.raise_alert(alert)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(service, alerts, {ADMIN: "admin"}),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def _needs_state(operation: object) -> bool:
    """Console operations on one alert or case, and its changes: random ids name nothing
    (tests/unit/console exercise them on real alerts and cases)."""
    path, method = operation.path, operation.method.upper()  # type: ignore[attr-defined]
    return path.startswith("/v1/console/") and ("{" in path or method == "POST")


def semantic_rejection_only(_ctx: object, response: schemathesis.Response,
                            case: schemathesis.Case) -> None:
    """Schema-valid data is accepted, or refused for a reason the schema cannot state."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if _needs_state(case.operation) and response.status_code in (404, 409):
        return  # a random case or alert id does not exist; the workflow may refuse a move
    if response.status_code == 422:
        kinds = {error["type"] for error in response.json()["detail"]}
        assert kinds <= SEMANTIC, f"schema-valid request refused by the request model: {kinds}"
    else:
        assert response.status_code < 300, f"schema-valid request answered {response.status_code}"


def test_api_conforms_to_its_openapi_document(api_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /v1/screen/address", "POST /v1/screen/name", "GET /v1/alerts", "GET /healthz"}
    failures: list[str] = []
    answered: set[tuple[str, int]] = set()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                                 database=None, suppress_health_check=list(hypothesis.HealthCheck))
            def run(case: schemathesis.Case) -> None:
                response = case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN}"},
                                       excluded_checks=[positive_data_acceptance],
                                       additional_checks=[semantic_rejection_only])
                answered.add((case.operation.label, response.status_code))

            try:
                run()
            except FailureGroup as group:
                failures += [f"{operation.label} [{mode.value}] {f.title}: {f.message}"
                             for f in group.exceptions]
            except Failure as f:
                failures.append(f"{operation.label} [{mode.value}] {f.title}: {f.message}")
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to negate (no parameters)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    assert {(op.label, 200) for op in operations if not _needs_state(op)} <= answered
