"""The click context object: settings plus the lazily built :class:`txmon.app.App`."""

from __future__ import annotations

import getpass

import click

from txmon.app import App
from txmon.bus.base import Producer
from txmon.settings import Settings
from txmon.store.base import Store


class CliContext:
    """What every command receives as ``ctx.obj``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = App(settings)

    def store(self) -> Store:
        return self.app.store

    def producer(self) -> Producer:
        return self.app.producer()


pass_cli = click.make_pass_decorator(CliContext)


def current_user() -> str:
    """Who runs the command, for records that say who asked (``--by`` defaults)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no $USER and no passwd entry (some containers)
        return "cli"
