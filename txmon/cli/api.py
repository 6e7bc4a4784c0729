"""``txmon api``: serve the screening HTTP API (FastAPI under uvicorn).

Tokens come from ``TXMON_API_TOKENS`` (token=role,…); without any the API would refuse
every request, so the command refuses to start instead. The name index is built before
the socket opens so the first request is not the slow one. Access logs are off by
default (they would cost more than a decision); uvicorn never logs request headers, and
with ``--access-log`` query values other than the API's own parameters are redacted
(:mod:`screening.accesslog`), so a token sent as ``?token=`` is not logged either.
"""

from __future__ import annotations

import os

import click

from alerts.store import AlertStore
from screening.accesslog import log_config
from screening.auth import parse_tokens, parse_users
from screening.runtime import open_service
from txmon.cli.context import CliContext
from txmon.errors import ConfigError, MissingExtra
from txmon.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to bind.")
@click.option("--access-log", is_flag=True,
              help="Log every request (path and status; query values redacted).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (each holds its own name index).")
@click.pass_obj
def api(obj: CliContext, host: str, port: int, access_log: bool, workers: int) -> None:
    """Serve POST /v1/screen/address, POST /v1/screen/name, GET /v1/alerts, GET /healthz."""
    try:  # the server stack is the `api` extra: the rest of the CLI works without it
        import uvicorn

        from screening.api import create_app, replayer_for
    except ModuleNotFoundError as exc:
        raise MissingExtra("txmon api", "api", exc.name) from exc
    tokens = parse_tokens(obj.settings.api_tokens)
    if not tokens:
        raise ConfigError("TXMON_API_TOKENS is empty: set token=role[:name][,…] "
                          "(roles: analyst, supervisor, regulator, admin)")
    if workers > 1:
        obj.app.tag_index  # noqa: B018 - seed a fresh store once, before workers race to
        _export(obj.settings)
        click.echo(f"txmon api: http://{host}:{port} ({workers} workers)", err=True)
        uvicorn.run("screening.api:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=obj.settings.log_level.lower(),
                    access_log=access_log, log_config=log_config())
        return
    service = open_service(obj.app)
    service.matcher()
    app = create_app(service, AlertStore(obj.app.store), tokens,
                     parse_users(obj.settings.api_tokens), obj.app.feed_signer,
                     replayer_for(obj.app))
    click.echo(f"txmon api: http://{host}:{port} ({len(tokens)} tokens; console at "
               f"http://{host}:{port}/)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=obj.settings.log_level.lower(),
                access_log=access_log, log_config=log_config())


def _export(settings: Settings) -> None:
    """Hand the effective settings (CLI flags included) to worker processes via env."""
    for name in ("data_dir", "bus", "store", "namespace", "rulebook", "seeds_dir",
                 "log_level"):
        value = getattr(settings, name)
        if value is not None:
            os.environ[f"TXMON_{name.upper()}"] = str(value)
