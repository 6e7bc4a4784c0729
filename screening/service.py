"""The screening service: address and name decisions, each recorded as a confirmation.

One object per process, shared by the CLI and the HTTP API. The name index is rebuilt
when the tag store's head moves (a new list version); the head is re-read at most once a
second so that a request does not pay a store round trip for it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from enrich.enricher import TagLookup
from enrich.tagstore import TagStore
from rules.exposure.config import ExposureConfig
from screening import countries, jurisdiction
from screening.confirmations import ConfirmationLog
from screening.decision import ALLOW, BLOCK, REVIEW, Reason, decide
from screening.exceptions import ExceptionBook, FalsePositive
from screening.exposure import exposure
from screening.index import NameIndex
from screening.links import PartyLinks
from screening.matcher import NameMatcher, NameQuery
from screening.reading import read
from screening.text import normalise, warm_up
from txmon.customers import MOF_THRESHOLD_JPY, Accounts
from txmon.errors import BadRecord
from txmon.models import TagKind
from txmon.store.base import Store
from txmon.vocabulary import vocabulary
from txmon.wire import dumps, loads

# The vocabulary's risky categories, plus the list terms mapped onto them (seeds/vocabulary.yaml).
RISKY_CATEGORIES = vocabulary().risky_terms()
HEAD_TTL = 1.0
LINKS_KEY = "screening:links:"  # + list head seq + linking-code fingerprint
# ¥10^15 (1,000 trillion yen) is more than every crypto-asset in existence: a larger
# withdrawal value cannot exist and is refused before anything is decided or recorded.
MAX_VALUE_JPY = 10**15
DOB_MIN = dt.date(1900, 1, 1)  # nobody born earlier is alive to be screened
UNATTRIBUTED = "unattributed"  # a caller that named nobody (library use, old clients)
_SEVERITY = {ALLOW: 0, REVIEW: 1, BLOCK: 2}


class InvalidQuery(BadRecord):
    """A screening request that cannot be decided; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ScreeningService:
    """Decisions for addresses, names and customers."""

    def __init__(self, store: Store, tags: TagLookup, exposure_config: ExposureConfig | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.store = store
        self.tag_store = TagStore(store)
        self._tags = tags
        self._exposure = exposure_config
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.accounts = Accounts(store)
        self.log = ConfirmationLog(store)
        self.exceptions = ExceptionBook(store, self._clock)
        # Built per list head, each on first need: an address check never builds the name
        # index (~1 s of transliteration at start-up) and a name check never the token keys.
        self._head: tuple[int, dict[str, str]] | None = None  # (seq, versions) followed
        self._matcher: NameMatcher | None = None
        self._parties: list[Any] | None = None
        self._checked = 0.0
        self._token_keys: list[str] | None = None
        self._links: PartyLinks | None = None

    # ---- list state ----------------------------------------------------------------
    def follow_head(self, fresh: bool = False) -> dict[str, str]:
        """Follow a new list version (the address index too); the list versions held.

        Checked at most every ``HEAD_TTL``; a new head drops the lazily built indexes.
        ``fresh`` re-reads the head now: a re-screen triggered by a list update must see
        that update, not the head cached less than a second before it.
        """
        now = time.monotonic()
        if not fresh and self._head is not None and now - self._checked < HEAD_TTL:
            return self._head[1]
        self._checked = now
        head = self.tag_store.head()
        if self._head is None or self._head[0] != head.seq:
            refresh = getattr(self._tags, "refresh", None)
            if refresh is not None:  # the address index follows the same list versions
                refresh()
            self._head = (head.seq, dict(head.sources))
            self._matcher = self._parties = self._token_keys = self._links = None
        return self._head[1]

    def matcher(self, fresh: bool = False) -> tuple[NameMatcher, dict[str, str]]:
        """The name matcher of the current head, and the list versions it holds."""
        versions = self.follow_head(fresh)
        if self._matcher is None:
            warm_up()
            self._matcher = NameMatcher(NameIndex(self._party_list()))
            self._party_links()
            # The indexes are ~400,000 long-lived objects: a full garbage collection
            # walks them all (~140 ms, a latency spike for every request in flight).
            # Freezing moves them out of the collector's sight; they hold no cycles, so
            # reference counting still frees an old index after a rebuild.
            gc.freeze()
        return self._matcher, versions

    def _party_list(self) -> list[Any]:
        if self._parties is None:
            self._parties = self.tag_store.parties()
        return self._parties

    def _party_links(self) -> PartyLinks:
        """The same party across lists, built on the first hit that needs it.

        Deriving the links reads every listed party (~1 s with the shipped lists), which a
        one-off ``txmon screen`` of a listed address would pay each time: they are kept in
        the store per list head and per version of the linking code, and read back.
        """
        if self._links is None:
            assert self._head is not None  # follow_head() ran first
            key = f"{LINKS_KEY}{self._head[0]}:{_links_code()}"
            raw = self.store.get(key)
            if raw is not None:
                self._links = PartyLinks.from_wire(loads(raw))
            else:
                self._links = PartyLinks(self._party_list(), self.tag_store.all_tags())
                self.store.put(key, dumps(self._links.to_wire()))
        return self._links

    def _tokens(self) -> list[str]:
        if self._token_keys is None:
            self._token_keys = [f"{t.chain}:{t.contract.lower()}"
                                for t in self.tag_store.tokens()]
        return self._token_keys

    # ---- decisions -----------------------------------------------------------------
    def screen_name(self, query: NameQuery, record: bool = True,
                    by: str | None = None) -> dict[str, Any]:
        if not normalise(query.name):
            raise InvalidQuery("name", "the name has no letters or digits once invisible "
                               "characters are removed")
        reasons, given = [], query
        if query.dob is not None and not DOB_MIN <= query.dob <= self._clock().date():
            # An impossible date of birth must not rule a listed party out as a namesake.
            reasons.append(Reason("implausible-dob", REVIEW, f"date of birth {query.dob} "
                                  "cannot be a living person's: not used to tell namesakes "
                                  "apart", {"dob": query.dob.isoformat()}))
            query = replace(query, dob=None)
        if query.country is not None and not countries.is_code(query.country):
            reasons.append(Reason("unknown-country", REVIEW, f"{query.country!r} is not an "
                                  "ISO 3166-1 country code", {"country": query.country}))
        reasons += self.excepted("name", given.name, self.name_reasons(query))
        checked = {"name": given.name, "dob": _iso(given.dob), "country": given.country}
        return self.answer("name", checked, reasons, record, by=by)

    def screen_address(self, address: str, chain: str | None = None,
                       customer: str | None = None, record: bool = True,
                       value_jpy: int | None = None, by: str | None = None,
                       transfer: str | None = None) -> dict[str, Any]:
        """The pre-send decision for ``address``; ``transfer`` names the withdrawal or
        transfer it is for (kept in the confirmation record, FEFTA's 確認記録)."""
        # Everything is validated before anything is looked up or recorded.
        reading = read(address, chain)  # InvalidAddress (a BadRecord) → 4xx at the edge
        if value_jpy is not None and not 0 <= value_jpy <= MAX_VALUE_JPY:
            raise InvalidQuery("value_jpy",
                               f"value_jpy {value_jpy} is outside 0..{MAX_VALUE_JPY:,}")
        self.follow_head()  # a new list version reaches the address index before the look-up
        reasons = self._tag_reasons(reading.address) + reading.reasons
        if value_jpy is not None and value_jpy > MOF_THRESHOLD_JPY:
            reasons.append(Reason("mof-report", ALLOW, f"¥{value_jpy:,} is above ¥30,000,000: "
                                  "report to the Minister of Finance", {"value_jpy": value_jpy}))
        reasons += self._exposure_reasons(reading.address, chain)
        owner = self.accounts.owner_of(reading.address)
        if owner is not None:
            reasons.append(Reason("own-deposit-address", ALLOW,
                                  f"deposit address of our account {owner}", {"account": owner}))
        if customer is not None:
            reasons += self.customer_reasons(customer)
        checked = {"address": reading.address, "chain": chain, "family": reading.family,
                   "customer": customer, "value_jpy": value_jpy}
        if transfer is not None:
            checked["transfer"] = transfer
        return self.answer("address", checked, reasons, record, by=by)

    def screen_customer(self, account: str, record: bool = True,
                        record_id: str | None = None, by: str | None = None) -> dict[str, Any]:
        reasons = self.customer_reasons(account)
        return self.answer("customer", {"customer": account}, reasons, record, record_id, by)

    # ---- reasons -------------------------------------------------------------------
    def name_reasons(self, query: NameQuery) -> list[Reason]:
        matcher, _ = self.matcher()
        reasons = []
        shown: set[tuple[str, str]] = set()
        for m in matcher.screen(query):
            group = self._party_links().group((m.source, m.list_id))
            if shown.intersection(group):
                continue  # the same party on another list: already one hit above
            shown.update(group)
            outcome = {"strong": BLOCK, "possible": REVIEW, "namesake": ALLOW}[m.verdict]
            who = " / ".join(f"{s} {i}" for s, i in group) or f"{m.source} {m.list_id}"
            evidence = m.to_wire()
            if len(group) > 1:
                evidence["same_party"] = [{"source": s, "list_id": i} for s, i in group]
            # "strong match with …, confirmed by date of birth" / "namesake ruled out by
            # nationality: match with …": the deciding fact comes first for an allow.
            head = {"namesake": f"namesake ruled out by {m.basis}: match"}.get(
                m.verdict, f"{m.verdict} match")
            tail = f"; confirmed by {m.basis}" if m.verdict == "strong" else ""
            reasons.append(Reason("name-match", outcome,
                                  f"{head} with {who} "
                                  f"{m.party_name!r} via {m.matched_kind} {m.matched_name!r} "
                                  f"(score {m.score}, dob {m.dob}, country {m.country}{tail})",
                                  evidence))
        why = jurisdiction.risk(query.country)
        if why:
            reasons.append(Reason("jurisdiction", REVIEW, why, {"country": query.country}))
        return reasons

    def customer_reasons(self, account: str) -> list[Reason]:
        record = self.accounts.customer(account)
        if record is None:
            return [Reason("unknown-customer", REVIEW, f"no KYC record for account {account}")]
        dob = dt.date.fromisoformat(record["dob"]) if record.get("dob") else None
        countries = list(record.get("nationality") or [])
        # One query per name and nationality; per listed party the most severe answer is
        # kept, so a dual national is not ruled out by the nationality the party lacks.
        found: dict[tuple[str, str], Reason] = {}
        for name in record.get("names", []):
            for country in countries or [None]:
                for r in self.name_reasons(NameQuery(name["full"], dob, country)):
                    if r.code != "name-match":
                        continue
                    key = (r.evidence["source"], r.evidence["list_id"])
                    held = found.get(key)
                    if held is None or _SEVERITY[r.outcome] > _SEVERITY[held.outcome]:
                        found[key] = r
        reasons: list[Reason] = self.excepted("customer", account, list(found.values()))
        places = [("residence", record.get("residence")),
                  ("last login", self.accounts.login_country(account))]
        places += [("nationality", c) for c in countries]
        for what, code in places:
            why = jurisdiction.risk(code)
            if why:
                reasons.append(Reason("jurisdiction", REVIEW, f"customer {what} {code}: {why}",
                                      {"country": code, "field": what}))
        return reasons

    def excepted(self, kind: str, subject: str, reasons: list[Reason]) -> list[Reason]:
        """``reasons`` with each block/review name match that a false-positive exception
        in force covers turned into an ``exception`` allow reason naming it (never dropped:
        the match and the ruling both stay on the record). A match whose exception lapsed
        carries ``lapsed_exception``, so it is alerted again (screening.alerting).
        Address reasons are never passed here: a listed address always blocks."""
        out = []
        book: list[FalsePositive] | None = None  # the exceptions log, read at most once
        for r in reasons:
            if r.code != "name-match" or r.outcome == ALLOW:
                out.append(r)
                continue
            if book is None:
                book = self.exceptions.all()
            live, lapsed = self.exceptions.covering(kind, subject, r.evidence["source"],
                                                    r.evidence["list_id"], book)
            if live is not None:
                ruling = {"id": live.id, "author": live.author, "expires": live.expires,
                          "review_by": live.review_by, "reason": live.reason}
                out.append(Reason("exception", ALLOW,
                                  f"false positive per exception {live.id} by {live.author} "
                                  f"(until {live.expires}): {r.detail}",
                                  {**r.evidence, "exception": ruling,
                                   "overridden": r.outcome}))
            elif lapsed is not None:
                out.append(replace(r, evidence={**r.evidence,
                                                "lapsed_exception": lapsed.id}))
            else:
                out.append(r)
        return out

    def _tag_reasons(self, address: str) -> list[Reason]:
        today = self._clock().date()
        reasons = []
        for tag in self._tags.tags_for(address):
            if not tag.active_on(today):
                continue
            evidence: dict[str, Any] = {
                "source": tag.source, "entity": tag.entity, "category": tag.category,
                "programs": list(tag.programs), "list_id": tag.list_id,
                "listed_at": _iso(tag.listed_at)}
            group = self._party_links().group((tag.source, tag.list_id)) if tag.list_id else ()
            if len(group) > 1:  # one reason per list (own dates), but one party
                evidence["same_party"] = [{"source": s, "list_id": i} for s, i in group]
            if tag.kind == TagKind.SANCTION:
                reasons.append(Reason("sanctioned-address", BLOCK,
                                      f"listed by {tag.source}: {tag.entity}", evidence))
            elif tag.category in RISKY_CATEGORIES:
                reasons.append(Reason("risky-entity", REVIEW,
                                      f"{tag.category} per {tag.source}: {tag.entity}", evidence))
        return reasons

    def _exposure_reasons(self, address: str, chain: str | None) -> list[Reason]:
        if self._exposure is None:
            return []
        return [Reason("indirect-exposure", REVIEW,
                       f"holds {h.share_ppm / 10_000:.2f}% funds from listed addresses in "
                       f"{h.asset}, {h.hops} hop(s) away",
                       {"asset": h.asset, "share_ppm": h.share_ppm, "hops": h.hops,
                        "sources": list(h.sources)})
                for h in exposure(self.store, self._exposure, address, chain, self._tokens())]

    # ---- the answer and its record -------------------------------------------------
    def answer(self, kind: str, checked: dict[str, Any], reasons: list[Reason], record: bool,
               record_id: str | None = None, by: str | None = None) -> dict[str, Any]:
        """The decision over ``reasons``; with ``record``, appended to the confirmation log
        with who asked (``by``: a token's name, a CLI user, a txmon worker), when, what was
        checked and the list versions in force."""
        versions = self.follow_head()
        at = self._clock().astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        answer: dict[str, Any] = {
            "decision": decide(reasons), "kind": kind, "checked": checked,
            "reasons": [r.to_wire() for r in reasons], "list_versions": versions, "at": at,
        }
        if record:
            self.confirm([answer], by, [record_id])
        return answer

    def confirm(self, answers: list[dict[str, Any]], by: str | None,
                record_ids: list[str | None] | None = None) -> None:
        """Record ``answers`` (made with ``record=False``) as confirmation records, in one
        store transaction where the backend can, and add their ``confirmation``."""
        ids = [(record_ids[n] if record_ids else None) or _record_id(a["kind"], a["at"])
               for n, a in enumerate(answers)]
        for answer in answers:
            answer["requested_by"] = by or UNATTRIBUTED
        seqs = self.log.record_many(list(zip(ids, answers, strict=True)))
        for answer, rid, seq in zip(answers, ids, seqs, strict=True):
            answer["confirmation"] = {"id": rid, "seq": seq}


@functools.cache
def _links_code() -> str:
    """Fingerprint of the code that derives party links: a change re-derives them."""
    from screening import dates, links, text

    digest = hashlib.sha256()
    for module in (links, text, dates):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:12]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _record_id(kind: str, at: str) -> str:
    """A fresh id per request: two identical checks are two confirmations."""
    return hashlib.sha256(f"{kind}|{at}|{uuid.uuid4()}".encode()).hexdigest()[:32]
