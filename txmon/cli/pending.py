"""Placeholders for contract commands whose issue is not done: they exit non-zero."""

from __future__ import annotations

import click

from txmon.errors import NotBuiltYet

_WHAT = {
    "screen": "pre-withdrawal and name screening (issue: exchange feed and screening API)",
    "api": "the screening HTTP API (issue: exchange feed and screening API)",
    "rules": "rulebook check/test commands (issue: rules, exposure and alerts)",
    "ingest": "chain and exchange ingest (issues: Ethereum, Bitcoin, exchange feed)",
    "replay": "historical replay (issues: Ethereum, Bitcoin ingest)",
    "tags": "tag loading and lookup (issue: sanctions and entity tags)",
}


def pending_command(name: str) -> click.Command:
    """A command that accepts anything and says honestly that it is not built yet."""

    @click.command(name=name, context_settings={"ignore_unknown_options": True,
                                                 "allow_extra_args": True},
                   help=f"[not built yet] {_WHAT.get(name, name)}")
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args: tuple[str, ...]) -> None:
        raise NotBuiltYet(f"'txmon {name}' — {_WHAT.get(name, name)}")

    return command
