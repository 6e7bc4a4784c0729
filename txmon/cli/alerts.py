"""``txmon alerts list | export | verify | keygen | status | history | webhook``: the feed."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

import click

from alerts.export import ExportHead, export_lines
from alerts.feed import FeedHead, FeedReport, parse_ndjson, verify_feed
from alerts.signing import Keyring, generate
from alerts.webhook import WebhookForwarder, WebhookSink
from alerts.workflow import AlertWorkflow, Status, check_trail
from txmon import metrics
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.lifecycle import stop_on_signals
from txmon.cli.output import print_alerts
from txmon.errors import BadRecord, FeedVerificationError, WorkflowError
from txmon.wire import dumps


@click.group()
def alerts() -> None:
    """Stored alerts and the verifiable regulator feed."""


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_cli
def list_alerts(cli: CliContext, as_json: bool) -> None:
    """Every stored alert in feed order, with what happened to it since (reorg, delisting)."""
    store = cli.app.alert_store
    count = print_alerts(store.alerts(), as_json, lifecycle=store.lifecycle())
    click.echo(f"{count} alerts", err=True)


@alerts.command("export")
@click.option("--out", "out", type=click.File("wb"), default="-", show_default=True,
              help="File to write (- for stdout).")
@click.option("--from-seq", type=int, default=1, show_default=True)
@pass_cli
def export(cli: CliContext, out: BinaryIO, from_seq: int) -> None:
    """Write the feed (CloudEvents, hash-chained) as NDJSON; its head goes to stderr.

    Signed heads (checkpoints) follow the event they sign; with a feed key configured the
    export ends on a freshly signed head, so the whole file is provable with the public key.
    """
    made = ExportHead()
    signer = cli.app.feed_signer
    for line in export_lines(cli.app.alert_store, signer, from_seq, made):
        out.write(line)
    count, prevhash, head = made.count, made.prevhash, made.head
    how = (f"--pubkey KEY.pub.pem (signed by key {signer.kid})" if signer is not None
           else "(unsigned: no feed key configured)")
    click.echo(f"exported {count} events; verify with: txmon alerts verify FILE "
               f"--from-seq {from_seq} --prevhash '{prevhash}' --expect-head {head} {how}",
               err=True)


@alerts.command("publish")
@click.option("--interval", type=float, default=0.5, show_default=True,
              help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Publish what is pending, then exit.")
@pass_cli
def publish(cli: CliContext, interval: float, once: bool) -> None:
    """Copy stored alerts to the txmon.alerts topic: the feed's single writer."""
    publisher = cli.app.feed_publisher()
    liveness = metrics.Liveness("feed", cli.settings.liveness_timeout)
    if cli.settings.metrics_port:
        metrics.serve(cli.settings.metrics_port, liveness, cli.settings.metrics_host)
    stop = stop_on_signals()
    total = 0
    while not stop.is_set():
        total += publisher.publish_pending()
        liveness.progress()
        if once:
            break
        stop.wait(interval)
    click.echo(f"published {total} events", err=True)


def _keyring(pubkeys: tuple[str, ...]) -> Keyring | None:
    paths = [p for value in pubkeys for p in value.split(",") if p]
    return Keyring.load(paths) if paths else None  # ConfigError → exit 2


@alerts.command("verify")
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--pubkey", "pubkeys", multiple=True, metavar="KEY[,KEY]",
              help="The exchange's public feed key(s), PEM (repeat or comma-separate: after a "
              "rotation old heads verify with the old key). Proves origin and completeness "
              "up to the last signed head.")
@click.option("--checkpoint", "heads", type=click.File("rb"), multiple=True,
              help="A signed head kept from earlier (one checkpoint JSON line): the feed must "
              "reach it, so a truncated tail is caught.")
@click.option("--allow-unsigned-tail", is_flag=True,
              help="Accept events after the last signed head (reported, not proven).")
@click.option("--from-seq", type=int, default=1, show_default=True,
              help="Sequence the file must start at (an export from a checkpoint).")
@click.option("--prevhash", default="", help="Hash the first event must link to "
              "(empty for a feed from sequence 1).")
@click.option("--expect-head", help="SEQ:HASH the feed must end at (the topic tail, or the "
              "head printed by `txmon alerts export`): detects events removed at the end.")
def verify(file: BinaryIO, pubkeys: tuple[str, ...],
           heads: tuple[BinaryIO, ...], allow_unsigned_tail: bool, from_seq: int,
           prevhash: str, expect_head: str | None) -> None:
    """Prove an exported feed's origin, order, no edit and completeness (stdin if no FILE).

    Exit 0: proven; 1: broken, forged, or events after the last signed head (unless
    --allow-unsigned-tail); 2: bad arguments or key files.
    """
    try:
        head = FeedHead.parse(expect_head) if expect_head else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--expect-head") from exc
    keyring = _keyring(pubkeys)
    try:
        kept = [record for h in heads for record in parse_ndjson(h)]
        report = verify_feed(parse_ndjson(file), keyring, from_seq, prevhash, head, kept)
    except (FeedVerificationError, BadRecord) as exc:
        click.echo(f"FAILED: {exc}", err=True)
        sys.exit(1)
    anchored = "start and end anchored" if head else "start anchored (no --expect-head)"
    summary = (f"OK: {report.events} events, sequence contiguous, hash chain intact, "
               f"{anchored}")
    if keyring is None:
        click.echo(f"{summary}; origin NOT proven (no --pubkey)", err=True)
        return
    _report_signed(summary, report, allow_unsigned_tail)


def _report_signed(summary: str, report: FeedReport, allow_unsigned_tail: bool) -> None:
    if report.signed is not None:
        summary += (f"; signed head {report.signed} by key {', '.join(sorted(report.kids))} "
                    f"({report.checkpoints} checkpoints): origin, order, no edit and "
                    f"completeness proven up to sequence {report.signed.seq}")
    if report.unsigned:
        after = f"after the signed head {report.signed.seq}" if report.signed else "(no head)"
        warning = f"{report.unsigned} events {after} are UNSIGNED: not proven"
        if not allow_unsigned_tail:
            click.echo(f"FAILED: {warning}" + (f" ({summary})" if report.signed else ""),
                       err=True)
            sys.exit(1)
        summary += f"; {warning}"
    click.echo(summary, err=True)


@alerts.command("keygen")
@click.option("--out", "private", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Private key file to create (PEM, mode 0600, never "
              "overwritten); point TXMON_FEED_KEY_FILE at it.")
@click.option("--pub", "public", type=click.Path(dir_okay=False, path_type=Path),
              help="Public key file (default: OUT with .pub.pem); give it to regulators.")
def keygen(private: Path, public: Path | None) -> None:
    """Create the exchange's Ed25519 feed signing keypair."""
    public = public or private.with_name(private.stem + ".pub.pem")
    if private.exists():
        raise click.BadParameter(f"{private} exists; a key in use is never overwritten",
                                 param_hint="--out")
    kid = generate(private, public)
    click.echo(f"key id {kid}: private key {private} (0600, keep secret), "
               f"public key {public}")


@alerts.command("status")
@click.argument("alert_id")
@click.argument("status", type=click.Choice([s.value for s in Status]))
@click.option("--by", "by", required=True, help="Who makes the change (analyst id).")
@click.option("--reason", "reason", required=True, help="Why (kept in the audit trail).")
@pass_cli
def status(cli: CliContext, alert_id: str, status: str, by: str, reason: str) -> None:
    """Move ALERT_ID to STATUS (open → investigating → escalated | dismissed)."""
    workflow = AlertWorkflow(cli.app.store, cli.app.alert_store, signer=cli.app.feed_signer)
    change = workflow.change(alert_id, status, by, reason)  # WorkflowError → exit 2
    click.echo(f"{alert_id}: {change.previous} → {change.status} by {change.by} at "
               f"{change.at} (audit entry {change.seq})")


@alerts.command("history")
@click.argument("alert_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change.")
@click.option("--pubkey", "pubkeys", multiple=True, metavar="KEY[,KEY]",
              help="Public feed key(s) the trail's signed head must verify with (default: "
              "the configured feed key's).")
@pass_cli
def history(cli: CliContext, alert_id: str, as_json: bool, pubkeys: tuple[str, ...]) -> None:
    """The audit trail of ALERT_ID's status changes, oldest first (exit 1 when broken)."""
    workflow = AlertWorkflow(cli.app.store, cli.app.alert_store)
    keyring = _keyring(pubkeys)
    if keyring is None and cli.app.feed_signer is not None:
        keyring = Keyring([cli.app.feed_signer.public_key()])
    if cli.app.alert_store.find(alert_id) is None:
        raise WorkflowError(f"no stored alert with id {alert_id}")
    trail = workflow.history(alert_id)
    for change in trail:
        if as_json:
            click.echo(dumps(asdict(change)).decode())
        elif change.previous == change.status:  # a note (e.g. a delisting), no change
            click.echo(f"{change.seq}. {change.at} {change.by}: note — {change.reason}")
        else:
            click.echo(f"{change.seq}. {change.at} {change.by}: {change.previous} → "
                       f"{change.status} — {change.reason}")
    problem = check_trail(trail, workflow.log_head(alert_id), workflow.signed_head(alert_id),
                          keyring)
    signed = "signed head verified" if keyring is not None else "signature not checked"
    intact = f"intact, {signed}" if problem is None else f"BROKEN: {problem}"
    click.echo(f"{alert_id}: status {workflow.status(alert_id)}, {len(trail)} changes, "
               f"trail {intact}", err=True)
    if problem is not None:
        sys.exit(1)


@alerts.command("webhook")
@click.argument("url")
@click.option("--name", default="default", show_default=True,
              help="Checkpoint name (one per receiver).")
@click.option("--attempts", default=5, show_default=True, help="Tries per event.")
@pass_cli
def webhook(cli: CliContext, url: str, name: str, attempts: int) -> None:
    """POST every feed event not yet delivered to URL (retries with backoff)."""
    sink = WebhookSink(url, max_attempts=attempts)
    try:
        sent = WebhookForwarder(cli.app.alert_store, cli.app.store, sink, name).forward_pending()
    finally:
        sink.close()
    click.echo(f"delivered {sent} events to {url}", err=True)


from txmon.cli.alert_report import report  # noqa: E402 - a command module of its own

alerts.add_command(report)
