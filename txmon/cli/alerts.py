"""``txmon alerts list | export | verify | status | history | webhook``: the alert feed."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from alerts.feed import FeedHead, parse_ndjson, verify_events
from alerts.webhook import WebhookForwarder, WebhookSink
from alerts.workflow import AlertWorkflow, Status, verify_trail
from txmon import metrics
from txmon.cli.context import CliContext, pass_cli
from txmon.cli.lifecycle import stop_on_signals
from txmon.cli.output import print_alerts
from txmon.errors import FeedVerificationError, WorkflowError
from txmon.wire import dumps, loads


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
def export(cli: CliContext, out: click.utils.LazyFile, from_seq: int) -> None:
    """Write the feed (CloudEvents, hash-chained) as NDJSON; its head goes to stderr."""
    count = 0
    prevhash = ""
    head = FeedHead(from_seq - 1, "")
    for seq, raw in cli.app.alert_store.raw_events(from_seq):
        out.write(raw + b"\n")
        event = loads(raw)
        if count == 0:
            prevhash = event["prevhash"]
        head = FeedHead(seq, event["hash"])
        count += 1
    click.echo(f"exported {count} events; verify with: txmon alerts verify FILE "
               f"--from-seq {from_seq} --prevhash '{prevhash}' --expect-head {head}", err=True)


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


@alerts.command("verify")
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--from-seq", type=int, default=1, show_default=True,
              help="Sequence the file must start at (an export from a checkpoint).")
@click.option("--prevhash", default="", help="Hash the first event must link to "
              "(empty for a feed from sequence 1).")
@click.option("--expect-head", help="SEQ:HASH the feed must end at (the topic tail, or the "
              "head printed by `txmon alerts export`): detects events removed at the end.")
def verify(file: click.utils.LazyFile, from_seq: int, prevhash: str,
           expect_head: str | None) -> None:
    """Prove an exported feed has no gap and no edited or removed alert (stdin if no FILE)."""
    try:
        head = FeedHead.parse(expect_head) if expect_head else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--expect-head") from exc
    try:
        count = verify_events(parse_ndjson(file), from_seq, prevhash, head)
    except FeedVerificationError as exc:
        click.echo(f"FAILED: {exc}", err=True)
        sys.exit(1)
    anchored = "start and end anchored" if head else "start anchored (no --expect-head)"
    click.echo(f"OK: {count} events, sequence contiguous, hash chain intact, {anchored}",
               err=True)


@alerts.command("status")
@click.argument("alert_id")
@click.argument("status", type=click.Choice([s.value for s in Status]))
@click.option("--by", "by", required=True, help="Who makes the change (analyst id).")
@click.option("--reason", "reason", required=True, help="Why (kept in the audit trail).")
@pass_cli
def status(cli: CliContext, alert_id: str, status: str, by: str, reason: str) -> None:
    """Move ALERT_ID to STATUS (open → investigating → escalated | dismissed)."""
    workflow = AlertWorkflow(cli.app.store, cli.app.alert_store)
    change = workflow.change(alert_id, status, by, reason)  # WorkflowError → exit 2
    click.echo(f"{alert_id}: {change.previous} → {change.status} by {change.by} at "
               f"{change.at} (audit entry {change.seq})")


@alerts.command("history")
@click.argument("alert_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change.")
@pass_cli
def history(cli: CliContext, alert_id: str, as_json: bool) -> None:
    """The audit trail of ALERT_ID's status changes, oldest first."""
    workflow = AlertWorkflow(cli.app.store, cli.app.alert_store)
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
    intact = "intact" if verify_trail(trail) else "BROKEN"
    click.echo(f"{alert_id}: status {workflow.status(alert_id)}, {len(trail)} changes, "
               f"trail {intact}", err=True)


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
