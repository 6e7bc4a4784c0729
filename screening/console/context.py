"""The console's service layer: one object holding what every screen reads and changes.

Pages and JSON endpoints call these methods and nothing else, and these call the same
modules the CLI uses (alerts.store, alerts.workflow, alerts.queue, alerts.cases,
enrich.tagstore, screening.service), so a screen never shows something the CLI would not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, cast

from alerts.cases import CaseBook
from alerts.feed import FeedHead, verify_feed
from alerts.flow import Flow, Window, build_flow, expand
from alerts.queue import AlertQueue
from alerts.signing import Keyring, Signer
from alerts.store import AlertStore
from alerts.workflow import AlertWorkflow, check_trail
from enrich.tagstore import TagStore
from rules.history import TransferHistory
from screening.auth import User
from screening.console.sessions import Sessions
from screening.service import ScreeningService
from txmon.errors import FeedVerificationError, WorkflowError
from txmon.models import Alert
from txmon.wire import alert_from_wire, alert_to_wire

DIFF_SHOWN = 25  # addresses listed per kind of change (the counts are complete)
STALE_DAYS = 30  # a list whose newest edition is older than this is flagged stale


class NotFound(WorkflowError):
    """No such alert or case (the API answers 404)."""


class Console:
    """Everything a console screen needs, over one store."""

    def __init__(self, service: ScreeningService, alerts: AlertStore,
                 users: Mapping[str, User], signer: Signer | None = None,
                 stale_days: int = STALE_DAYS) -> None:
        self.service = service
        self.store = service.store
        self.alerts = alerts
        self.signer = signer
        self.stale_days = stale_days
        self.tags = TagStore(self.store)
        self.queue = AlertQueue(self.store, alerts, self.tags.history)
        # the workflow checks an alert exists with find(): by the index, not a feed scan
        self.workflow = AlertWorkflow(self.store, self, signer=signer)  # type: ignore[arg-type]
        self.cases = CaseBook(self.store, self.workflow, self._severity)
        self.history = TransferHistory(self.store)
        self.sessions = Sessions(self.store, users)
        self.replayer: Any = None  # screening.console.replay.Replayer, set by mount_console
        self.people = sorted({u.name for u in users.values() if u.role != "regulator"})

    def _severity(self, alert_id: str) -> str | None:
        row = self.queue.get(alert_id)
        return row.severity if row else None

    def find(self, alert_id: str) -> Alert | None:
        """AlertStore.find through the index (one stored event read, not a feed scan)."""
        try:
            return self.alert(alert_id)[0]
        except NotFound:
            return None

    def alert(self, alert_id: str) -> tuple[Alert, dict[str, Any]]:
        """The stored alert and its stored event (time, sequence, hash)."""
        row = self.queue.get(alert_id)
        if row is None:
            raise NotFound(f"no stored alert with id {alert_id}")
        for _, event in self.alerts.events(row.seq):
            return alert_from_wire(event["data"]), event
        raise NotFound(f"no stored alert with id {alert_id}")  # pragma: no cover

    def evidence(self, alert_id: str) -> dict[str, Any]:
        """Everything the evidence page shows, as JSON-ready data."""
        alert, event = self.alert(alert_id)
        row = self.queue.get(alert_id)
        transfer = self.history.find(alert.transfer_id)
        trail = self.workflow.history(alert_id)
        keyring = Keyring([self.signer.public_key()]) if self.signer else None
        problem = check_trail(trail, self.workflow.log_head(alert_id),
                              self.workflow.signed_head(alert_id), keyring)
        editions = self.editions(alert)
        trace: Any = alert.evidence.get("trace") or {}
        facts = trace.get("inputs", {}).get("transfer", {})
        return {
            "alert": alert_to_wire(alert), "stored": event.get("time"),
            "sequence": event.get("sequence"), "hash": event.get("hash"),
            "row": row.to_wire() if row else None,
            "transfer": None if transfer is None else {
                "block_time": transfer.block_time.isoformat() if transfer.block_time else None,
                "network": transfer.network, "kind": str(transfer.kind),
                "inputs": [asdict(leg) for leg in transfer.inputs],
                "outputs": [asdict(leg) for leg in transfer.outputs]},
            "usd_cents": facts.get("usd_cents") if facts.get("usd_known") else None,
            "jpy": facts.get("jpy_value") if facts.get("jpy_known") else None,
            "editions": editions,
            "lifecycle": self.queue.lifecycle(alert_id),
            "trail": [asdict(c) for c in trail], "trail_problem": problem,
            "status": str(self.workflow.status(alert_id)),
        }

    def editions(self, alert: Alert) -> dict[str, list[dict[str, Any]]]:
        """The editions of every list behind ``alert`` (its matches, the list that made it
        retroactive, the lists of an indirect alert's sources), each marked in force or
        not on its as-of date; a replay job's alert page shows them too."""
        matches = cast("list[dict[str, Any]]", alert.evidence.get("matches") or [])
        sources = sorted({t["source"] for m in matches for t in m.get("tags") or []})
        retro: Any = alert.evidence.get("retroactive") or {}
        if retro.get("source"):
            sources = sorted({*sources, retro["source"]})
        exposure: Any = alert.evidence.get("exposure") or {}
        for address in exposure.get("sources") or []:  # the lists behind an indirect alert
            sources = sorted({*sources, *(t.source for t in self.tags.lookup(address,
                                                                              alert.as_of))})
        return {s: [self._edition(m.to_wire(), alert.as_of) for m in self.tags.versions(s)]
                for s in sources}

    @staticmethod
    def _edition(meta: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
        return {**meta, "in_force": meta["published"] <= as_of.isoformat()}

    def flow(self, alert_id: str, expand_addresses: list[str] | None = None,
             window: Window | None = None) -> Flow:
        alert, _ = self.alert(alert_id)
        exposure: Any = alert.evidence.get("exposure") or {}
        labels: dict[str, list[str]] = {}
        for source in exposure.get("sources") or []:
            for tag in self.tags.lookup(source, alert.as_of):
                labels.setdefault(source, []).append(f"{tag.entity} ({tag.source})")
        flow = build_flow(alert, self.history, labels)
        if expand_addresses:
            flow = expand(flow, self.history, expand_addresses, window or Window())
        return flow

    def lists(self) -> list[dict[str, Any]]:
        """Loaded editions per source, newest first, with age and staleness."""
        today = dt.datetime.now(dt.UTC).date()
        by_source: dict[str, list[dict[str, Any]]] = {}
        for meta in self.tags.versions():
            by_source.setdefault(meta.source, []).append(meta.to_wire())
        out = []
        for source, editions in sorted(by_source.items()):
            editions.sort(key=lambda m: m["published"], reverse=True)
            for edition in editions:
                edition["raised"] = [r.to_wire() for r in self.queue.raised_by(edition["version"])]
                edition["diff"] = self._diff(edition)
            age = (today - dt.date.fromisoformat(editions[0]["published"])).days
            out.append({"source": source, "editions": editions, "age_days": age,
                        "stale": age > self.stale_days})
        return out

    def _diff(self, edition: dict[str, Any]) -> dict[str, Any] | None:
        """What changed from the previous edition: addresses added, removed, re-tagged, and
        listed parties (names) added, removed, changed."""
        if not edition.get("previous"):
            return None
        delta = self.tags.diff(edition["previous"], edition["version"])
        out: dict[str, Any] = {
            name: {"count": len(values), "first": sorted(values)[:DIFF_SHOWN]}
            for name, values in (("added", delta.added), ("removed", delta.removed),
                                 ("changed", delta.changed))}
        parties = self.tags.party_diff(edition["previous"], edition["version"])
        out["parties"] = {
            name: {"count": len(found),
                   "first": [f"{p.list_id} {p.name}" for p in found[:DIFF_SHOWN]]}
            for name, found in (("added", parties.added), ("removed", parties.removed),
                                ("changed", parties.changed))}
        return out

    def regulator(self) -> dict[str, Any]:
        """The feed's head and what verifying the stored feed proves (as ``txmon alerts
        verify`` would on an export): chain intact, signed heads checked with the feed key."""
        head = self.alerts.head()
        heads = list(self.alerts.checkpoints())
        keyring = Keyring([self.signer.public_key()]) if self.signer else None
        try:
            report = verify_feed((e for _, e in self.alerts.events()), keyring,
                                 expect_head=FeedHead(head.seq, head.hash), heads=heads)
            problem, signed = None, report.signed
        except FeedVerificationError as exc:
            problem, signed = str(exc), None
        recent = [e for _, e in self.alerts.events(max(1, head.seq - 19))]
        return {"head": {"seq": head.seq, "hash": head.hash},
                "signed_head": heads[-1] if heads else None, "checkpoints": len(heads),
                "key": self.signer.kid if self.signer else None, "problem": problem,
                "signed_seq": signed.seq if signed else None,
                "unsigned_after": head.seq - (signed.seq if signed else 0),
                "recent": list(reversed(recent))}
