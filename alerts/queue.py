"""The alert queue: every stored alert as a row, filtered and paged on the server.

Why an in-process index: the feed is a log, and reading and decoding every event on each
page would cost seconds at 100,000 alerts. The index reads the feed once, then only the
events appended since (``refresh`` tails the log from the last sequence it saw), and
folds in status, assignee and case changes from the activity log (alerts/activity.py),
so a page is one pass over small rows in memory (bench/console_queue.py measures it).
Every process that serves the queue builds its own index from the same store, so the CLI
and the console read one state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from alerts import activity
from alerts.bitsets import Bitsets, newest
from alerts.feed import EVENT_TYPE, RETRACTED_TYPE
from alerts.store import AlertStore
from txmon.models import Tag
from txmon.store.base import Store

SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("open", "investigating", "escalated", "dismissed")
MAX_PAGE = 200
REBUILD_AFTER = 64  # more changes than this in one refresh: rebuild the facet in one pass


@dataclass(slots=True)
class Row:
    """What the queue shows and filters on for one alert (the evidence stays in the feed)."""

    id: str
    seq: int
    stored: str  # when the alert was stored (RFC 3339)
    as_of: str  # the evaluation date (the transfer's block date unless --as-of)
    rule: str
    title: str
    severity: str
    chain: str
    asset: str
    amount: int
    decimals: int | None
    sources: tuple[str, ...]
    retroactive: bool
    mode: str
    illustrative: bool
    hops: int
    account: str
    list_version: str = ""  # the list edition whose update raised it (retroactive alerts)
    value_note: str = ""  # why a zero amount is not "0 ETH moved" (a failed or value-less call)
    status: str = "open"
    assignee: str = ""
    case: str = ""
    retracted: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "stored": self.stored, "as_of": self.as_of,
                "rule": self.rule, "title": self.title, "severity": self.severity,
                "chain": self.chain, "asset": self.asset, "amount": str(self.amount),
                "decimals": self.decimals, "sources": list(self.sources),
                "retroactive": self.retroactive, "mode": self.mode,
                "illustrative": self.illustrative, "hops": self.hops,
                "account": self.account, "list_version": self.list_version,
                "value_note": self.value_note,
                "status": self.status, "assignee": self.assignee,
                "case": self.case, "retracted": self.retracted}


@dataclass(frozen=True, slots=True)
class Filters:
    """Queue filters; an empty value means "any"."""

    status: str = ""
    severity: str = ""
    rule: str = ""
    chain: str = ""
    source: str = ""
    assignee: str = ""  # a name, or "-" for unassigned
    since: dt.date | None = None
    until: dt.date | None = None
    retroactive: bool | None = None

    def match(self, row: Row) -> bool:
        return ((not self.status or row.status == self.status)
                and (not self.severity or row.severity == self.severity)
                and (not self.rule or row.rule == self.rule)
                and (not self.chain or row.chain == self.chain)
                and (not self.source or self.source in row.sources)
                and (not self.assignee or row.assignee == ("" if self.assignee == "-"
                                                           else self.assignee))
                and (self.since is None or row.as_of >= self.since.isoformat())
                and (self.until is None or row.as_of <= self.until.isoformat())
                and (self.retroactive is None or row.retroactive == self.retroactive))


@dataclass(slots=True)
class Page:
    rows: list[Row]
    total: int  # alerts matching the filters
    offset: int
    limit: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # facet → value → n
    options: dict[str, list[str]] = field(default_factory=dict)  # facet → every value seen


SourceTags = Callable[[str], Iterable[Tag]]  # address → every tag it ever had (any date)


def _value_note(amount: int, evidence: dict[str, Any]) -> str:
    if amount:
        return ""
    facts = (evidence.get("trace") or {}).get("inputs", {}).get("transfer", {})
    return "no value moved: failed call" if facts.get("success") is False \
        else "no value moved: contract call"


def row_of(seq: int, event: dict[str, Any], source_tags: SourceTags | None = None) -> Row:
    """The queue row of one stored alert event; ``source_tags`` names the lists behind an
    indirect alert's source addresses on its date (the alert matched no listed address)."""
    data = event["data"]
    evidence = data.get("evidence") or {}
    sources = {t.get("source", "") for m in evidence.get("matches") or []
               for t in m.get("tags") or []}
    sources_of = (evidence.get("exposure") or {}).get("sources") or []
    if source_tags is not None and sources_of and not sources:
        day = dt.date.fromisoformat(data["as_of"])
        for address in sources_of:
            sources.update(t.source for t in source_tags(address) if t.active_on(day))
    retro = evidence.get("retroactive") or {}
    if retro.get("source"):
        sources.add(retro["source"])
    accounts = evidence.get("accounts") or {}
    account = next(iter(accounts.values()), "") if isinstance(accounts, dict) else ""
    exposure = evidence.get("exposure") or {}
    decimals = evidence.get("asset_decimals")
    return Row(id=data["id"], seq=seq, stored=event.get("time", ""), as_of=data["as_of"],
               rule=data["rule"], title=str(evidence.get("title", data["rule"])),
               severity=data["severity"], chain=data["chain"], asset=data["asset"],
               amount=int(data["amount"]), decimals=decimals if isinstance(decimals, int)
               else None, sources=tuple(sorted(s for s in sources if s)),
               retroactive=bool(data.get("retroactive")), mode=str(evidence.get("mode", "live")),
               illustrative="illustrative" in evidence, hops=int(exposure.get("hops") or 0),
               account=str(account), list_version=str(data.get("list_version") or ""),
               value_note=_value_note(int(data["amount"]), evidence))


class AlertQueue:
    """Server-side paging and filtering over every stored alert."""

    def __init__(self, store: Store, alerts: AlertStore,
                 source_tags: SourceTags | None = None) -> None:
        self._store = store
        self._alerts = alerts
        self._source_tags = source_tags
        self._rows: list[Row] = []
        self._position: dict[str, int] = {}
        self._by_id: dict[str, Row] = {}
        self._feed_seq = 0
        self._activity_seq = 0
        self._lifecycle: dict[str, list[dict[str, Any]]] = {}
        self._seen: dict[str, set[str]] = {"rule": set(), "chain": set(), "source": set(),
                                           "assignee": set()}
        self._bits = Bitsets(("status", "severity", "rule", "chain", "source", "assignee",
                              "as_of", "retroactive"))

    def refresh(self) -> None:
        """Read what was appended to the feed and the activity log since the last call."""
        tags = _memo(self._source_tags) if self._source_tags else None  # per refresh
        for seq, event in self._alerts.events(self._feed_seq + 1):
            self._feed_seq = seq
            kind = event.get("type", EVENT_TYPE)
            if kind == EVENT_TYPE:
                row = row_of(seq, event, tags)
                if row.id not in self._by_id:
                    self._bits.add(len(self._rows), {
                        "status": [row.status], "severity": [row.severity], "rule": [row.rule],
                        "chain": [row.chain], "source": row.sources, "assignee": [""],
                        "as_of": [row.as_of], "retroactive": [str(row.retroactive)]})
                    self._position[row.id] = len(self._rows)
                    self._rows.append(row)
                    self._by_id[row.id] = row
                    self._seen["rule"].add(row.rule)
                    self._seen["chain"].add(row.chain)
                    self._seen["source"].update(row.sources)
            else:  # retracted, re-included, delisted, …: kept per alert for its evidence
                self._lifecycle.setdefault(event.get("subject", ""), []).append(event)
                if kind == RETRACTED_TYPE and (found := self._by_id.get(event["subject"])):
                    found.retracted = True
        moved: dict[str, list[tuple[str, str, int]]] = {"status": [], "assignee": []}
        for seq, entry in activity.read(self._store, self._activity_seq + 1):
            self._activity_seq = seq
            moved_row = self._by_id.get(entry["alert_id"])
            if moved_row is not None and entry["field"] in ("status", "assignee", "case"):
                if entry["field"] in moved:
                    moved[entry["field"]].append((getattr(moved_row, entry["field"]),
                                                  entry["value"], self._position[moved_row.id]))
                setattr(moved_row, entry["field"], entry["value"])
                if entry["field"] == "assignee" and entry["value"]:
                    self._seen["assignee"].add(entry["value"])
        for facet, changes in moved.items():
            if len(changes) > REBUILD_AFTER:
                self._bits.rebuild(facet, (getattr(r, facet) for r in self._rows))
            else:
                for old, new, pos in changes:
                    self._bits.move(facet, old, new, pos)
        self._bits.flush()

    def lifecycle(self, alert_id: str) -> list[dict[str, Any]]:
        """Lifecycle events about ``alert_id`` (AlertStore.lifecycle without a feed scan)."""
        self.refresh()
        return list(self._lifecycle.get(alert_id, []))

    def raised_by(self, list_version: str) -> list[Row]:
        """The retroactive alerts a list edition's update raised, newest first."""
        self.refresh()
        return [r for r in reversed(self._rows) if r.list_version == list_version]

    def get(self, alert_id: str) -> Row | None:
        self.refresh()
        return self._by_id.get(alert_id)

    def page(self, filters: Filters, offset: int = 0, limit: int = 50) -> Page:
        """Newest first; ``counts`` per status and severity are over the filtered rows
        without that facet's own filter, so the numbers say what choosing it would give.

        Filters are ANDs of facet bitsets (alerts/bitsets.py); :meth:`Filters.match` is
        their definition (tests/unit/console/test_queue.py checks they agree)."""
        self.refresh()
        limit = max(1, min(limit, MAX_PAGE))
        f, bits = filters, self._bits
        base = bits.all
        for facet in ("rule", "chain", "source"):
            if value := getattr(f, facet):
                base &= bits.mask(facet, value)
        if f.assignee:
            base &= bits.mask("assignee", "" if f.assignee == "-" else f.assignee)
        if f.since is not None or f.until is not None:
            base &= bits.between("as_of", f.since.isoformat() if f.since else None,
                                 f.until.isoformat() if f.until else None)
        if f.retroactive is not None:
            base &= bits.mask("retroactive", str(f.retroactive))
        by_status = base & (bits.mask("severity", f.severity) if f.severity else bits.all)
        by_severity = base & (bits.mask("status", f.status) if f.status else bits.all)
        hits = by_status & by_severity
        rows = [self._rows[p] for p in newest(hits, offset, limit)]
        return Page(rows=rows, total=hits.bit_count(), offset=offset, limit=limit,
                    counts={"status": {s: (by_status & bits.mask("status", s)).bit_count()
                                       for s in STATUSES},
                            "severity": {s: (by_severity & bits.mask("severity", s)).bit_count()
                                         for s in SEVERITIES}},
                    options=self.options())

    def options(self) -> dict[str, list[str]]:
        """Every rule, chain, source and assignee seen (the filter choices)."""
        return {name: sorted(values) for name, values in self._seen.items()}


def _memo(lookup: SourceTags) -> SourceTags:
    """One tag history read per address and refresh: many indirect alerts share a source."""
    seen: dict[str, tuple[Tag, ...]] = {}

    def cached(address: str) -> tuple[Tag, ...]:
        if address not in seen:
            seen[address] = tuple(lookup(address))
        return seen[address]

    return cached
