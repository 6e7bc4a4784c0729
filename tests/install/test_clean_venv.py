"""`pip install .` into a clean virtualenv gives a txmon that works outside the checkout.

This is the install a new user does: core dependencies only (no extras), a regular (not
editable) install, run from another directory. It proves the core CLI imports nothing
from an extra, that seeds/ and schemas/ travel inside the wheel, and that `txmon api`
names the extra it needs. Dependencies are real and come from the package index or
pip's cache (with the cache a run takes 1-2 min; the first run on a machine is longer).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[2]
# Build from a copy: setuptools' in-tree build/ folder can hold stale files, and parallel
# runs must not share it.
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                 ".pytest_cache", ".ruff_cache", "tests", "bench")
ANDREYEV = "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"  # SDN ANDREYEV, Anton Nikolaeyvich


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=120)
    subprocess.run([str(base / "venv" / "bin" / "pip"), "install", "--quiet",
                    "--disable-pip-version-check", str(source)],
                   check=True, timeout=480, env=env, cwd=base)
    print(f"clean venv + pip install .: {time.monotonic() - started:.1f} s")
    shutil.rmtree(source)  # nothing may be read from the source tree from here on
    return base / "venv"


def run(venv: Path, *argv: str, home: Path) -> subprocess.CompletedProcess[str]:
    """A command of the installed txmon, in an empty directory, with no TXMON_* settings."""
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith("TXMON_")}
    env |= {"HOME": str(home), "TXMON_DATA_DIR": str(home / "data")}
    return subprocess.run([str(venv / "bin" / argv[0]), *argv[1:]], capture_output=True,
                          text=True, timeout=120, env=env, cwd=home)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


def test_code_and_data_come_from_the_venv(venv: Path, home: Path) -> None:
    probe = ("import txmon, ingest.exchange.schema as s; from txmon.settings import SEEDS_DIR;"
             "s.validator(1); print(txmon.__file__); print(SEEDS_DIR); print(s.SCHEMAS)")
    result = run(venv, "python", "-c", probe, home=home)
    assert result.returncode == 0, result.stderr
    code, seeds, schemas = result.stdout.split()
    site = str(venv / "lib")
    assert code.startswith(site)
    assert seeds.startswith(site) and seeds.endswith("txmon_seeds")
    assert schemas.startswith(site) and schemas.endswith("txmon_schemas")


def test_help_lists_every_command(venv: Path, home: Path) -> None:
    result = run(venv, "txmon", "--help", home=home)
    assert result.returncode == 0, result.stderr
    for command in ("alerts", "api", "demo", "engine", "ingest", "replay", "rules", "screen",
                    "tags"):
        assert f"  {command} " in result.stdout


def test_screen_blocks_a_listed_address_from_shipped_lists(venv: Path, home: Path) -> None:
    result = run(venv, "txmon", "screen", ANDREYEV, home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BLOCK")
    assert "ANDREYEV, Anton Nikolaeyvich" in result.stdout


def test_tags_stats_counts_the_seeded_lists(venv: Path, home: Path) -> None:
    result = run(venv, "txmon", "tags", "stats", home=home)
    assert result.returncode == 0, result.stderr
    sdn = json.loads(result.stdout)["sources"]["ofac-sdn"]
    assert sdn["published"] == "2024-09-27"
    assert sdn["listed_addresses"] > 600


def test_api_names_the_extra_it_needs(venv: Path, home: Path) -> None:
    result = run(venv, "txmon", "api", home=home)
    assert result.returncode == 2
    assert "pip install 'txmon[api]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_runs_on_the_data_in_the_wheel(venv: Path, home: Path) -> None:
    result = run(venv, "txmon", "demo", home=home)
    assert result.returncode == 0, result.stderr
    assert "demo: 5 alerts in the verifiable feed" in result.stderr
    assert (home / "data" / "demo" / "store.sqlite").is_file()
    listed = run(venv, "txmon", "--data-dir", str(home / "data" / "demo"), "alerts", "list",
                 home=home)
    assert listed.returncode == 0 and listed.stdout.count("[CRITICAL]") >= 3
