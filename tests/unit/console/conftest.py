"""The demo's state (``txmon demo``: 5 alerts on real and illustrative transfers) behind
the console, the way ``txmon api`` serves it: one App on the demo's data dir."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from screening.api import create_app
from screening.auth import parse_tokens, parse_users
from screening.console.replay import Replayer
from screening.runtime import open_service
from txmon.app import App
from txmon.cli import main
from txmon.cli.demo import DEMO_USERS
from txmon.settings import load_settings

ANALYST = "demo-analyst-not-secret"
SUPERVISOR = "demo-supervisor-not-secret"
SUPERVISOR2 = "demo-supervisor2-not-secret"
REGULATOR = "demo-token-not-secret"
DIRECT = "2c8dd2b0407c3eaef46130276484f223"  # critical, 100 ETH from POTEKHIN, Danil
TWO_HOPS = "490dd378f6f682e033a8280abbb29efc"  # high, 60 ETH, 2 hops
THREE_HOPS = "f1827033dfe8"  # prefix: high, 25 ETH, 3 hops


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished demo run, made once; tests copy it so each starts from the same state."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "demo"])
    assert result.exit_code == 0, result.stderr
    return data_dir / "demo"


@pytest.fixture
def demo_app(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    home = tmp_path / "demo"
    shutil.copytree(demo_home, home)
    monkeypatch.setenv("TXMON_DATA_DIR", str(home))
    monkeypatch.setenv("TXMON_API_TOKENS", DEMO_USERS)
    monkeypatch.delenv("TXMON_STORE", raising=False)
    monkeypatch.delenv("TXMON_BUS", raising=False)
    app = App(load_settings())
    yield app
    app.close()


@pytest.fixture
def client(demo_app: App) -> Iterator[TestClient]:
    service = open_service(demo_app)
    tokens = demo_app.settings.api_tokens
    api = create_app(service, demo_app.alert_store, parse_tokens(tokens), parse_users(tokens),
                     demo_app.feed_signer, Replayer.from_app(demo_app))
    with TestClient(api, base_url="http://127.0.0.1") as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def three_hops_id(client: TestClient) -> str:
    rows = client.get("/v1/console/alerts", params={"rule": "sanctions-indirect"},
                      headers=bearer(ANALYST)).json()["rows"]
    return next(r["id"] for r in rows if r["id"].startswith(THREE_HOPS))
