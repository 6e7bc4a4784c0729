"""docker-compose.yml must describe processes the CLI and settings really have.

No Docker engine runs in CI, so this parses the file and walks the click command tree:
every txmon service's command must resolve to a CLI command (options included) and every
TXMON_* variable must be a field of txmon.settings.Settings.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import yaml

from txmon.cli import main
from txmon.settings import setting_names

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
TXMON_SERVICES = ["ingest-ethereum", "ingest-bitcoin", "ingest-exchange", "engine",
                  "feed-publisher", "api"]


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def resolve(argv: list[str]) -> tuple[click.Command, list[str]]:
    """Follow subcommands from the root; return the leaf command and remaining args."""
    command: click.Command = main
    rest = list(argv)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        # get_command, not .commands: the root loads each command's module on first use
        sub = command.get_command(click.Context(command), rest[0])
        assert sub is not None, f"no command {rest[0]!r} under {command.name!r}"
        command, rest = sub, rest[1:]
    return command, rest


def test_production_topology_has_every_process() -> None:
    services = compose()["services"]
    assert {"kafka", "redis", *TXMON_SERVICES} <= set(services)
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


@pytest.mark.parametrize("service", TXMON_SERVICES)
def test_service_command_exists_in_cli(service: str) -> None:
    argv = compose()["services"][service]["command"]
    assert argv[0] == "txmon"
    command, rest = resolve(argv[1:])
    known = {opt for param in command.params
             for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]}
    used = {arg for arg in rest if arg.startswith("--")}
    assert used <= known, f"{service}: unknown options {used - known}"


@pytest.mark.parametrize("service", TXMON_SERVICES)
def test_service_environment_names_are_settings(service: str) -> None:
    env = compose()["services"][service]["environment"]
    names = {name for name in env if name.startswith("TXMON_")}
    assert names, f"{service} is configured by TXMON_* variables"
    assert names <= set(setting_names()), names - set(setting_names())


def test_redis_is_durable_with_an_fsync_policy() -> None:
    """The alert store must survive a Redis restart (issue 10: lost writes forked the feed)."""
    command = compose()["services"]["redis"]["command"]
    flags = dict(zip(command[1::2], command[2::2], strict=False))
    assert flags.get("--appendonly") == "yes" and flags.get("--appendfsync") == "everysec"


def test_feed_publisher_signs_with_a_key_from_a_secret() -> None:
    spec = compose()
    publisher = spec["services"]["feed-publisher"]
    assert publisher["environment"]["TXMON_FEED_KEY_FILE"] == "/run/secrets/feed-key"
    assert "feed-key" in publisher["secrets"] and "feed-key" in spec["secrets"]
