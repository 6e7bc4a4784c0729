"""``txmon tags``: load list files as versions, look addresses up (now or as of a date),
compare versions, and show what is loaded.

Data goes to stdout (JSON with ``--json``), progress and skipped entries to stderr. A
fresh data dir is seeded from ``seeds/`` on first use, so ``txmon tags lookup`` works
right after install.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import click

from enrich.seeding import ensure_seeded
from enrich.sources import FORMATS, loader
from enrich.sources.base import LoadedList
from enrich.tagstore import TagStore
from enrich.tagversions import Delta
from txmon import wire
from txmon.addresses import normalize
from txmon.bus.base import TAG_UPDATES
from txmon.cli.params import iso_date
from txmon.models import Tag

VERSION_NOTE = "rests on a list version's publication date, not a known designation date"


def open_tag_store(ctx: click.Context, with_producer: bool = False) -> TagStore:
    """The tag store on the context's store, seeded from seeds/ on first use."""
    obj = ctx.obj
    settings = getattr(obj, "settings", None)
    topic = settings.topic(TAG_UPDATES) if settings is not None else TAG_UPDATES
    producer = obj.producer() if with_producer else None
    tag_store = TagStore(obj.store(), producer=producer, topic=topic)
    seeds_dir = getattr(settings, "seeds_dir", None)
    if seeds_dir is not None and Path(seeds_dir).is_dir():
        ensure_seeded(tag_store, Path(seeds_dir))
    return tag_store



@click.group()
def tags() -> None:
    """Sanctions and entity tags: load lists, look addresses up, compare versions."""


@tags.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--published", callback=iso_date, help="Publication date (YYYY-MM-DD) when the "
              "files carry none (OFAC CSV and per-asset lists do not).")
@click.option("--source", "source_name", help="List name to load as (default per format, "
              "e.g. ofac-sdn, graphsense).")
@click.option("--allow-truncated-remarks", is_flag=True, help="ofac-csv: load SDN.CSV without "
              "SDN_COMMENTS.CSV, losing the addresses past each 1,000-character cut.")
@click.pass_context
def load(ctx: click.Context, fmt: str, paths: tuple[str, ...], published: dt.date | None,
         source_name: str | None, allow_truncated_remarks: bool) -> None:
    """Load list FILES of FORMAT as a new version and publish its delta.

    \b
    Formats: ofac-csv (SDN.CSV [+ ALT, ADD, SDN_COMMENTS]), ofac-xml (sdnList XML),
    ofac-address-list (sanctioned_addresses_<ASSET>.txt|json), un-xml, uk-csv, eu-xml,
    opensanctions-ftm, graphsense (TagPack YAML), labels-json (Etherscan-style),
    token-list, mof (Japan MOF shisantouketsuYYYYMMDD.xlsx or its CSV edition).
    """
    if allow_truncated_remarks and fmt != "ofac-csv":
        raise click.UsageError("--allow-truncated-remarks applies to ofac-csv only")
    options = {"allow_truncated_remarks": True} if allow_truncated_remarks else {}
    loaded = loader(fmt, **options).load([Path(p) for p in paths])
    if source_name:
        loaded = _renamed(loaded, source_name)
    for label, items in (("skipped", loaded.skipped), ("warning", loaded.warnings)):
        for item in items:
            where = f"{item.path}:{item.line}" if item.line else item.path
            click.echo(f"{label} {where}: {item.text!r}: {item.reason}", err=True)
    delta = open_tag_store(ctx, with_producer=True).load(loaded, fmt, published)
    click.echo(wire.dumps({**_delta_summary(delta), "tags": len(loaded.tags),
                           "names": len(loaded.names), "skipped": len(loaded.skipped),
                           "warnings": len(loaded.warnings)}))
    click.echo(f"{delta.source}: version {delta.version} active "
               f"(+{len(delta.added)} -{len(delta.removed)} ~{len(delta.changed)}), "
               f"{delta.names_changed} parties changed", err=True)


@tags.command()
@click.argument("address")
@click.option("--as-of", "as_of", callback=iso_date, help="Date to answer for (default today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.pass_context
def lookup(ctx: click.Context, address: str, as_of: dt.date | None, as_json: bool) -> None:
    """Tags of ADDRESS in force now or on --as-of, with their dates and where they come from."""
    normal = normalize(address)
    day = as_of or dt.datetime.now(dt.UTC).date()
    history = open_tag_store(ctx).history(normal.address)
    active = [t for t in history if t.active_on(day)]
    inactive = [t for t in history if not t.active_on(day)]
    if as_json:
        click.echo(wire.dumps({
            "address": normal.address, "chain": normal.chain_family, "kind": normal.kind,
            "network": normal.network, "as_of": day.isoformat(),
            "tags": [_tag_out(t) for t in active],
            "not_in_force": [_tag_out(t) for t in inactive]}))
        return
    click.echo(f"{normal.address} ({normal.chain_family} {normal.kind}) as of {day}: "
               f"{len(active)} tag(s) in force")
    for tag in active:
        click.echo("  " + _tag_line(tag))
    for tag in inactive:
        click.echo("  not in force: " + _tag_line(tag))


@tags.command()
@click.argument("v1")
@click.argument("v2")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.pass_context
def diff(ctx: click.Context, v1: str, v2: str, as_json: bool) -> None:
    """Addresses added to, removed from and changed in a list from version V1 to V2."""
    delta = open_tag_store(ctx).diff(v1, v2)
    if as_json:
        click.echo(wire.dumps({**_delta_summary(delta), "added": list(delta.added),
                               "removed": list(delta.removed), "changed": list(delta.changed)}))
        return
    for label, items in (("+", delta.added), ("-", delta.removed), ("~", delta.changed)):
        for address in items:
            click.echo(f"{label} {address}")
    click.echo(f"{v1} -> {v2}: +{len(delta.added)} -{len(delta.removed)} "
               f"~{len(delta.changed)}", err=True)


@tags.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Active version, publication date and counts per source (JSON)."""
    click.echo(wire.dumps(open_tag_store(ctx).stats()))


@tags.command()
@click.option("--source", "source_name", help="Only this source.")
@click.pass_context
def versions(ctx: click.Context, source_name: str | None) -> None:
    """Every loaded version, oldest first (one JSON object per line)."""
    for meta in open_tag_store(ctx).versions(source_name):
        click.echo(wire.dumps(meta.to_wire()))


def _renamed(loaded: LoadedList, source: str) -> LoadedList:
    loaded.source = source
    loaded.tags = [dataclasses.replace(t, source=source) for t in loaded.tags]
    loaded.names = [dataclasses.replace(p, source=source) for p in loaded.names]
    return loaded


def _delta_summary(delta: Delta) -> dict[str, Any]:
    return {"source": delta.source, "version": delta.version, "previous": delta.previous,
            "published": delta.published.isoformat(), "added_count": len(delta.added),
            "removed_count": len(delta.removed), "changed_count": len(delta.changed),
            "names_changed": delta.names_changed}


def _tag_out(tag: Tag) -> dict[str, Any]:
    out = wire.tag_to_wire(tag)
    if tag.dates_from == "version":
        out["date_note"] = VERSION_NOTE
    return out


def _tag_line(tag: Tag) -> str:
    programs = f" [{', '.join(tag.programs)}]" if tag.programs else ""
    if tag.list_id:  # OFAC ent_num, MOF <regime>-<notice>: what to look up on the list
        programs += f" list id {tag.list_id}"
    entity = tag.entity or "(entity not named in the loaded files)"
    dates = f"listed {tag.listed_at}" if tag.listed_at else "undated label"
    if tag.delisted_at:
        dates += f", delisted {tag.delisted_at}"
    note = f" — {VERSION_NOTE}" if tag.dates_from == "version" else f" ({tag.dates_from})"
    asset = f" as {tag.asset}" if tag.asset else ""
    return (f"{tag.kind.value.upper()} {tag.source}: {entity}{programs}, {tag.category}"
            f"{asset}; {dates}{note}")
