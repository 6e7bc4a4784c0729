"""`txmon demo` leaves its state in DATA_DIR/demo, and the commands it prints work on it.

Each printed command is parsed from the demo's own output and run as printed (the API
one as a real server process queried over HTTP), so the hint cannot drift from the CLI.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from txmon.cli import main

ROOT = Path(__file__).resolve().parents[2]


def demo(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "demo", *args])


def printed_commands(result: Result) -> list[list[str]]:
    """The argv of every command under "next, on the demo's state:"."""
    block = result.stderr.split("next, on the demo's state:\n")[1]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def txmon(argv: list[str]) -> Result:
    assert argv[0] == "txmon", argv
    return CliRunner().invoke(main, argv[1:])


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    data_dir = tmp_path_factory.mktemp("data")
    result = demo(data_dir)
    assert result.exit_code == 0, result.stderr
    return data_dir, result


def test_state_is_kept_in_the_data_dir(first_run: tuple[Path, Result]) -> None:
    data_dir, result = first_run
    home = data_dir / "demo"
    assert sorted(p.name for p in data_dir.iterdir()) == ["demo"]  # no scratch left over
    assert {"store.sqlite", "bus.sqlite", "demo-run.json"} <= {p.name for p in home.iterdir()}
    assert "5 alerts in the verifiable feed" in result.stderr
    # what each record is: 3 synthetic demo transfers, 2 real mainnet ones (retroactive)
    assert result.stdout.count("no block (illustrative: synthetic demo transfer") == 3
    assert "ethereum block 13326607 tx 0xd7449b5b" in result.stdout  # Tornado Cash deposit
    assert "(RETROACTIVE after ofac-sdn@2024-05-03#" in result.stdout
    assert "None" not in result.stdout


def test_printed_commands_work_on_that_state(first_run: tuple[Path, Result], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir, result = first_run
    commands = printed_commands(result)
    by_verb = {" ".join(a for a in argv if not a.startswith(("-", "/")))
               .split("txmon ")[-1]: argv for argv in commands}
    monkeypatch.chdir(tmp_path)  # export writes feed.ndjson where the user stands
    listed = txmon(by_verb["alerts list"])
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.count("[CRITICAL]") + listed.stdout.count("[HIGH]") == 5
    exported = txmon(by_verb["alerts export feed.ndjson"])
    assert exported.exit_code == 0, exported.stderr
    assert len((tmp_path / "feed.ndjson").read_text().splitlines()) == 5
    verified = txmon(by_verb["alerts verify feed.ndjson"])
    assert verified.exit_code == 0, verified.output
    assert "OK: 5 events" in verified.output
    lookup = next(argv for verb, argv in by_verb.items() if verb.startswith("tags lookup"))
    looked = txmon(lookup)
    assert looked.exit_code == 0, looked.stderr
    assert "TORNADO CASH" in looked.stdout
    assert f"--data-dir {data_dir / 'demo'}" in shlex.join(by_verb["alerts list"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_printed_api_command_serves_the_demo_feed(first_run: tuple[Path, Result]) -> None:
    _, result = first_run
    commands = printed_commands(result)
    argv = next(a for a in commands if "api" in a)
    curl = next(a for a in commands if a[0] == "curl")
    env_part = [a for a in argv if "=" in a and not a.startswith("-")]
    env = dict(os.environ, PYTHONPATH=str(ROOT), **dict(a.split("=", 1) for a in env_part))
    port = _free_port()
    rest = argv[len(env_part) + 1:]  # after "txmon"
    server = subprocess.Popen([sys.executable, "-m", "txmon", *rest, "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        header = curl[curl.index("-H") + 1].split(": ", 1)
        url = curl[-1].replace(":8080", f":{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(url, headers={header[0]: header[1]}, timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "txmon api did not come up in 60 s"
                time.sleep(0.3)
        assert response.status_code == 200, response.text
        assert [e["sequence"] for e in response.json()["events"]] == [1, 2, 3, 4, 5]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_rerun_without_fresh_raises_nothing_twice(tmp_path: Path) -> None:
    first = demo(tmp_path, "--json")
    again = demo(tmp_path, "--json")
    assert again.exit_code == 0, again.stderr
    assert again.stdout == first.stdout and len(first.stdout.splitlines()) == 5
    assert "from the earlier run kept in" in again.stderr
    assert "demo 1/3" not in again.stderr  # nothing re-ingested
    listed = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "demo"), "alerts", "list",
                                       "--json"])
    assert len(listed.stdout.splitlines()) == 5


def test_fresh_wipes_only_the_demo_state(tmp_path: Path) -> None:
    assert demo(tmp_path).exit_code == 0
    (tmp_path / "demo" / "stray").write_text("from the earlier run")
    (tmp_path / "store.sqlite").write_text("the product's own state")  # not the demo's
    fresh = demo(tmp_path, "--fresh", "--json")
    assert fresh.exit_code == 0, fresh.stderr
    assert "deleted the earlier demo state" in fresh.stderr and "demo 1/3" in fresh.stderr
    assert not (tmp_path / "demo" / "stray").exists()
    assert (tmp_path / "store.sqlite").read_text() == "the product's own state"
    assert len(fresh.stdout.splitlines()) == 5


def test_other_options_on_kept_state_ask_for_fresh(tmp_path: Path) -> None:
    assert demo(tmp_path).exit_code == 0
    other = demo(tmp_path, "--as-of", "2024-06-01")
    assert other.exit_code == 2
    assert "--fresh" in other.stderr


def test_another_rulebook_on_kept_state_asks_for_fresh(tmp_path: Path) -> None:
    """The kept alerts were raised by one rulebook: another one must not show them as its own."""
    assert demo(tmp_path / "data").exit_code == 0
    book = tmp_path / "book.yaml"
    book.write_text((ROOT / "seeds" / "rulebook.yaml").read_text("utf-8") + "\n# edited\n")
    other = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "--rulebook",
                                      str(book), "demo"])
    assert other.exit_code == 2
    assert "--fresh" in other.stderr
