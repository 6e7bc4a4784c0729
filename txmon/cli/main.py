"""The root command group, global options, and error reporting."""

from __future__ import annotations

import logging
import signal
import sys
from importlib import import_module

import click

from txmon.cli.context import CliContext
from txmon.errors import TxmonError
from txmon.settings import load_settings

# Commands live in one module each, imported when the command is resolved: a one-off
# `txmon screen ADDRESS` must not pay for importing the engine, ingest and API stacks
# (~1 s of its start-up).
_COMMAND_MODULES = {
    "demo": "txmon.cli.demo",
    "engine": "txmon.cli.engine",
    "alerts": "txmon.cli.alerts",
    "tags": "txmon.cli.tags",
    "ingest": "txmon.cli.ingest",
    "replay": "txmon.cli.replay",
    "rules": "txmon.cli.rules",
    "screen": "txmon.cli.screen",
    "api": "txmon.cli.api",
    "confirmations": "txmon.cli.confirmations",
}


class TxmonGroup(click.Group):
    """Turns TxmonError into a one-line message and a non-zero exit, never a traceback.

    Its commands are loaded on first use (``--help`` loads them all to list them).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMAND_MODULES:
            self.add_command(_load(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except TxmonError as exc:
            click.echo(f"txmon: error: {exc}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            sys.stderr.close()  # reader went away (| head): exit quietly like a filter
            sys.exit(0)


@click.group(cls=TxmonGroup)
@click.option("--data-dir", envvar="TXMON_DATA_DIR", type=click.Path(file_okay=False),
              help="Embedded store/bus directory [env TXMON_DATA_DIR].")
@click.option("--bus", envvar="TXMON_BUS", help="kafka://host:port; unset = embedded.")
@click.option("--store", envvar="TXMON_STORE", help="redis://host:port/db; unset = embedded.")
@click.option("--namespace", envvar="TXMON_NAMESPACE", help="Prefix for topics and keys.")
@click.option("--rulebook", envvar="TXMON_RULEBOOK", type=click.Path(dir_okay=False),
              help="Rulebook YAML [default seeds/rulebook.yaml].")
@click.option("--log-level", envvar="TXMON_LOG_LEVEL", help="DEBUG, INFO, WARNING, ERROR.")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, bus: str | None, store: str | None,
         namespace: str | None, rulebook: str | None, log_level: str | None) -> None:
    """txmon: real-time blockchain transaction monitoring for sanctions compliance."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL) if hasattr(signal, "SIGPIPE") else None
    try:
        settings = load_settings(data_dir=data_dir, bus=bus, store=store, namespace=namespace,
                                 rulebook=rulebook, log_level=log_level)
    except TxmonError as exc:
        raise click.UsageError(str(exc)) from exc
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("httpx", "httpcore"):  # per-request INFO lines drown progress
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.root.level))
    # kafka-python logs every failed reconnect (several lines a second during an outage);
    # txmon reports an outage itself, once when it starts and once when it ends.
    logging.getLogger("kafka").setLevel(
        logging.DEBUG if logging.root.level <= logging.DEBUG else logging.CRITICAL)
    ctx.obj = CliContext(settings)
    ctx.call_on_close(ctx.obj.app.close)


def _load(name: str) -> click.Command:
    command: click.Command = getattr(import_module(_COMMAND_MODULES[name]), name)
    return command
