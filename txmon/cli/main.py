"""The root command group, global options, and error reporting."""

from __future__ import annotations

import logging
import signal
import sys

import click

from txmon.cli.context import CliContext
from txmon.errors import TxmonError
from txmon.settings import load_settings


class TxmonGroup(click.Group):
    """Turns TxmonError into a one-line message and a non-zero exit, never a traceback."""

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


def _register() -> None:
    """Each command lives in its own module; imported here, after ``main`` exists."""
    from txmon.cli.alerts import alerts
    from txmon.cli.api import api
    from txmon.cli.confirmations import confirmations
    from txmon.cli.demo import demo
    from txmon.cli.engine import engine
    from txmon.cli.ingest import ingest
    from txmon.cli.replay import replay
    from txmon.cli.rules import rules
    from txmon.cli.screen import screen
    from txmon.cli.tags import tags

    for command in (demo, engine, alerts, tags, ingest, replay, rules, screen, api,
                    confirmations):
        main.add_command(command)


_register()
