"""Console replay jobs over Bitcoin Core block files, and a replay alert's evidence page.

The blk file is Core's framing around the real block 169,482 (tests/data/bitcoin/raw,
PROVENANCE there), replayed with no node, the way ``txmon replay bitcoin --blocks-dir``
replays it. The list naming one of its output addresses is written by the test: the
address is a real output of that block, its listing is illustrative (no list names it).
"""

from __future__ import annotations

import dataclasses
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from screening.api import create_app
from screening.auth import parse_tokens, parse_users
from screening.console.replay import Replayer
from screening.console.replay_jobs import BadJob, JobRequest, ReplayJobs
from screening.runtime import open_service
from tests.unit.console.conftest import ANALYST, REGULATOR, bearer
from txmon.addresses.networks import MAINNET
from txmon.app import App
from txmon.cli import main

RAW = Path(__file__).resolve().parents[2] / "data" / "bitcoin" / "raw" / "block169482.dat"
HEIGHT = 169482  # pre-BIP-34: the files' first height is given
LISTED = "16ZWuPFXDrN17RzoS8mdvo9EKmFGG8Ubod"  # an output of tx bec4eefa… in that block
AS_OF = "2026-06-01"  # after the illustrative list's publication


def _blocks_root(tmp_path: Path) -> Path:
    root = tmp_path / "blocks-root"
    (root / "node1" / "blocks").mkdir(parents=True)
    raw = RAW.read_bytes()
    (root / "node1" / "blocks" / "blk00000.dat").write_bytes(
        MAINNET.magic + struct.pack("<I", len(raw)) + raw)  # Core's record: magic, size
    (tmp_path / "outside").mkdir()
    (root / "escape").symlink_to(tmp_path / "outside", target_is_directory=True)
    return root


def _list_the_address(tmp_path: Path) -> None:
    """An illustrative per-asset list naming LISTED, loaded into the demo's tag store."""
    listing = tmp_path / "sanctioned_addresses_XBT.txt"
    listing.write_text(LISTED + "\n")
    loaded = CliRunner().invoke(main, ["tags", "load", "ofac-address-list", str(listing),
                                       "--published", "2026-01-01",
                                       "--source", "illustrative-xbt"])
    assert loaded.exit_code == 0, loaded.stderr


@pytest.fixture
def blocks_console(demo_app: App, tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    root = _blocks_root(tmp_path)
    demo_app.settings = demo_app.settings.model_copy(update={"replay_blocks_root": root})
    service = open_service(demo_app)
    tokens = demo_app.settings.api_tokens
    replayer = dataclasses.replace(Replayer.from_app(demo_app),
                                   jobs=ReplayJobs.for_app(demo_app))
    api = create_app(service, demo_app.alert_store, parse_tokens(tokens), parse_users(tokens),
                     demo_app.feed_signer, replayer)
    with TestClient(api, base_url="http://127.0.0.1") as client:
        yield client, demo_app


def _finished(client: TestClient, job_id: str) -> dict[str, object]:
    for _ in range(600):
        view: dict[str, object] = client.get(f"/v1/console/replays/{job_id}",
                                             headers=bearer(ANALYST)).json()
        if view["status"] != "running":
            return view
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_a_block_file_job_finds_what_txmon_replay_finds_and_opens_its_alert(
        blocks_console: tuple[TestClient, App], tmp_path: Path) -> None:
    client, app = blocks_console
    _list_the_address(tmp_path)
    root = app.settings.replay_blocks_root
    assert root is not None
    cli = CliRunner().invoke(main, [
        "replay", "bitcoin", "--blocks-dir", str(root / "node1" / "blocks"), "--start-height",
        str(HEIGHT), "--from", str(HEIGHT), "--to", str(HEIGHT), "--as-of", AS_OF, "--json"])
    assert cli.exit_code == 0, cli.stderr
    assert "1 blocks, 14 transfers, 1 alerts, 13 dead letters" in cli.stderr
    assert LISTED in cli.stdout

    body = {"chain": "bitcoin", "blocks_dir": "node1/blocks", "start_height": HEIGHT,
            "from": HEIGHT, "to": HEIGHT, "as_of": AS_OF}
    started = client.post("/v1/console/replays", json=body, headers=bearer(ANALYST))
    assert started.status_code == 202, started.text
    assert started.json()["node"] == "block files node1/blocks"  # never the server's path
    done = _finished(client, started.json()["id"])
    assert (done["status"], done["transfers"], done["alerts"], done["dead_letters"]) == (
        "done", 14, 1, 13), done
    job_id = done["id"]
    [alert_id] = done["alert_ids"]  # type: ignore[misc]

    client.post("/login", data={"token": ANALYST})
    job_page = client.get(f"/replay/jobs/{job_id}")
    assert f'href="/replay/jobs/{job_id}/alerts/{alert_id}"' in job_page.text
    evidence = client.get(f"/replay/jobs/{job_id}/alerts/{alert_id}")
    assert evidence.status_code == 200
    assert LISTED in evidence.text and "replay · not in the live queue" in evidence.text
    assert "178.45 BTC" in evidence.text  # the 17,845,000,000 sat output to the address
    # the list edition behind the match, in force on the as-of date (1 address)
    assert '<td>2026-01-01</td><td class="num">1</td><td>yes</td>' in evidence.text
    assert "<td>illustrative-xbt</td>" in evidence.text
    for action in ('action="/queue/assign"', 'action="/cases"', "Open case", "Audit trail"):
        assert action not in evidence.text  # a replay alert is never worked
    assert client.get(f"/alerts/{alert_id}").status_code == 404  # not in the live store
    assert client.get(f"/replay/jobs/{job_id}/alerts/nope").status_code == 404


def test_a_failing_block_file_job_names_the_reason_not_the_server_path(
        blocks_console: tuple[TestClient, App]) -> None:
    client, app = blocks_console
    body = {"chain": "bitcoin", "blocks_dir": "node1/blocks", "start_height": HEIGHT - 1,
            "from": HEIGHT, "to": HEIGHT}  # a wrong first height: BIP-34 is not checked
    started = client.post("/v1/console/replays", json=body, headers=bearer(ANALYST))
    assert started.status_code == 202, started.text
    failed = _finished(client, started.json()["id"])
    assert failed["status"] == "failed", failed
    assert failed["error"] == (  # the files hold 169,482 as 169,481 here
        f"BlockFileError: height {HEIGHT} is not in <replay root>/node1/blocks")
    assert str(app.settings.replay_blocks_root) not in str(failed["error"])


def test_block_file_paths_outside_the_root_are_refused(
        blocks_console: tuple[TestClient, App]) -> None:
    client, _ = blocks_console
    body = {"chain": "bitcoin", "from": HEIGHT, "to": HEIGHT}
    for where, reason in [("../outside", "under the server's replay root"),
                          ("escape", "under the server's replay root"),  # a symlink out
                          ("/etc", "under the server's replay root"),
                          ("node1/missing", "no block-file directory")]:
        refused = client.post("/v1/console/replays", json={**body, "blocks_dir": where},
                              headers=bearer(ANALYST))
        assert refused.status_code == 422, where
        assert reason in refused.json()["detail"][0]["msg"], where
    eth = client.post("/v1/console/replays", json={**body, "chain": "ethereum",
                                                   "blocks_dir": "node1/blocks"},
                      headers=bearer(ANALYST))
    assert eth.status_code == 422 and "must be bitcoin" in eth.json()["detail"][0]["msg"]
    assert client.post("/v1/console/replays", json={**body, "blocks_dir": "node1/blocks"},
                       headers=bearer(REGULATOR)).status_code == 403

    client.post("/login", data={"token": ANALYST})
    csrf = client.get("/v1/console/me").json()["csrf"]
    assert 'name="blocks_dir"' in client.get("/replay").text
    form = {"csrf": csrf, "source": "blocks", "blocks_dir": "../outside", "from": str(HEIGHT),
            "to": str(HEIGHT), "start_height": str(HEIGHT)}
    page = client.post("/replay/jobs", data=form)
    assert page.status_code == 422 and "under the server&#39;s replay root" in page.text


def test_without_a_root_block_files_are_not_enabled(client: TestClient, tmp_path: Path) -> None:
    client.post("/login", data={"token": ANALYST})
    assert "Replay from block files is not enabled" in client.get("/replay").text
    jobs = ReplayJobs(lambda *_: pytest.fail("no job may start"), tmp_path)
    with pytest.raises(BadJob, match="not enabled"):
        jobs.start(JobRequest("bitcoin", "", HEIGHT, HEIGHT, blocks_dir="node1"), "alice")
