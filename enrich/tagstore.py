"""Point-in-time, versioned tag store on the :class:`~txmon.store.base.Store` primitives.

Layout (all keys under ``tags:``):

* ``tags:head`` — the one pointer: ``{"seq": n, "sources": {source: version}}``.
* ``tags:meta:<version>`` — :class:`~enrich.tagversions.VersionMeta` of every loaded version.
* ``tags:v:<version>:a:<address>`` — that version's record of the address (see
  :mod:`enrich.snapshot`): whether the published list holds it, and its tags with dates.
* ``tags:v:<version>:names`` / ``:tokens`` — listed parties and token contracts, one blob.
* ``tags:designations`` — the cited override file (see :mod:`enrich.designations`).
* ``tags:outbox:<version>`` — a delta not yet confirmed on the bus (see :mod:`enrich.tagoutbox`).

A load writes the whole new version under its own prefix first, then flips ``tags:head``
in one ``put_many``: readers see the old version or the new one, never half a list. A
failed load leaves only unreferenced keys and the active version stays in force. Loads
are serialised by a lock key, so two loaders cannot overwrite each other's head flip.
With a producer, the flip also stages the delta in the outbox, so that it reaches the bus
even if publishing fails or the process dies right after the flip.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from enrich import snapshot
from enrich.designations import Designations
from enrich.snapshot import Record
from enrich.sources.base import ListedParty, LoadedList, TokenInfo
from enrich.tagoutbox import outbox_item, publish_pending
from enrich.tagversions import Delta, PartyDelta, VersionMeta, version_id
from txmon import wire
from txmon.addresses import normalize_or_none
from txmon.bus.base import TAG_UPDATES, Producer
from txmon.errors import TxmonError
from txmon.models import Tag
from txmon.store.base import Store

HEAD = "tags:head"
DESIGNATIONS = "tags:designations"
LOCK = "tags:lock"
_CHUNK = 5000
_STALE_LOCK_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Head:
    """The active version of each source, and a counter that changes on every flip."""

    seq: int
    sources: dict[str, str]


class TagStore:
    """Versioned tags of every source; lookups now or as of a date."""

    def __init__(self, store: Store, producer: Producer | None = None,
                 topic: str = TAG_UPDATES) -> None:
        self.store = store
        self._producer = producer
        self._topic = topic

    # ---- reading ---------------------------------------------------------------------
    def head(self) -> Head:
        raw = self.store.get(HEAD)
        if raw is None:
            return Head(0, {})
        data = wire.loads(raw)
        return Head(int(data["seq"]), dict(data["sources"]))

    def designations(self) -> Designations:
        raw = self.store.get(DESIGNATIONS)
        return Designations.empty() if raw is None else Designations.from_wire(wire.loads(raw))

    def history(self, address: str) -> list[Tag]:
        """Every tag any active source version holds for ``address``, dates resolved."""
        normal = normalize_or_none(address)
        if normal is None:
            return []
        head, overrides = self.head(), self.designations()
        keys = [_rec_key(v, normal.address) for v in head.sources.values()]
        out: list[Tag] = []
        for raw in self.store.get_many(keys):
            if raw is not None:
                out.extend(overrides.resolve(t) for t in _record_from_wire(raw).tags)
        return out

    def lookup(self, address: str, as_of: dt.date | None = None) -> list[Tag]:
        """Tags in force on ``as_of`` (today, UTC, when None)."""
        day = as_of or dt.datetime.now(dt.UTC).date()
        return [t for t in self.history(address) if t.active_on(day)]

    def versions(self, source: str | None = None) -> list[VersionMeta]:
        """Every loaded version, oldest first per source."""
        metas = [VersionMeta.from_wire(wire.loads(v)) for _, v in self.store.scan("tags:meta:")]
        metas = [m for m in metas if source is None or m.source == source]
        return sorted(metas, key=lambda m: (m.source, m.published, m.version))

    def meta(self, version: str) -> VersionMeta:
        raw = self.store.get(f"tags:meta:{version}")
        if raw is None:
            raise TxmonError(f"no such tag list version: {version}")
        return VersionMeta.from_wire(wire.loads(raw))

    def records(self, version: str) -> dict[str, Record]:
        """All address records of one version."""
        prefix = f"tags:v:{version}:a:"
        return {key[len(prefix):]: _record_from_wire(raw) for key, raw in self.store.scan(prefix)}

    def all_tags(self) -> Iterator[Tag]:
        """Every tag of every active version, dates resolved (feeds the hot-path index)."""
        overrides = self.designations()
        for version in self.head().sources.values():
            for _, raw in self.store.scan(f"tags:v:{version}:a:"):
                for tag in _record_from_wire(raw).tags:
                    yield overrides.resolve(tag)

    def parties(self) -> list[ListedParty]:
        """Listed parties of every active version (for name screening)."""
        return [_party_from_wire(p) for p in self._blobs("names")]

    def tokens(self) -> list[TokenInfo]:
        return [TokenInfo(**t) for t in self._blobs("tokens")]

    def diff(self, v1: str, v2: str) -> Delta:
        """What changed in the published list from version ``v1`` to ``v2``."""
        first, second = self.meta(v1), self.meta(v2)
        if first.source != second.source:
            raise TxmonError(f"versions of different sources: {first.source} / {second.source}")
        delta = snapshot.delta(second.source, v2, v1, second.published,
                               self.records(v2), self.records(v1))
        return dataclasses.replace(delta, names_changed=self._names_between(v1, v2))

    def party_diff(self, v1: str, v2: str) -> PartyDelta:
        """Listed parties (names) that entered, left or changed between two versions.

        A party is its list record (``list_id``): the same record with another name,
        alias, date of birth or program is *changed*, not a removal and an addition.
        """
        before = {p.list_id: p for p in self._parties_of(v1)}
        after = {p.list_id: p for p in self._parties_of(v2)}
        return PartyDelta(
            added=tuple(after[k] for k in sorted(after.keys() - before.keys())),
            removed=tuple(before[k] for k in sorted(before.keys() - after.keys())),
            changed=tuple(after[k] for k in sorted(after.keys() & before.keys())
                          if after[k] != before[k]))

    def _parties_of(self, version: str) -> list[ListedParty]:
        raw = self.store.get(f"tags:v:{version}:names")
        return [_party_from_wire(p) for p in wire.loads(raw)] if raw is not None else []

    def stats(self) -> dict[str, Any]:
        """Per active source: version, publication date and counts."""
        head = self.head()
        out: dict[str, Any] = {"seq": head.seq, "versions": len(self.versions()), "sources": {}}
        for source, version in sorted(head.sources.items()):
            meta = self.meta(version)
            records = self.records(version)
            out["sources"][source] = {
                "version": version, "published": meta.published.isoformat(),
                "format": meta.format, "listed_addresses": meta.addresses,
                "history_addresses": sum(1 for r in records.values() if not r.in_list),
                "names": meta.names,
                "chains": _count(t.chain for r in records.values() if r.in_list for t in r.tags),
            }
        return out

    # ---- writing ---------------------------------------------------------------------
    def set_designations(self, designations: Designations) -> list[Delta]:
        """Store the override file and bump the head so that indexes refresh.

        A new or changed delisting date in the file (OFAC's removal of Tornado Cash on
        2025-03-21 is one) is a list update too: it is staged in the outbox, with the
        flip, as a delta whose ``removed`` are the addresses it delists, so that the
        engine flags the open alerts resting on them. Returns those deltas.
        """
        head = self.head()
        deltas = self._delistings(self.designations(), designations, head)
        flip = {DESIGNATIONS: wire.dumps(designations.to_wire()),
                HEAD: _head_to_wire(Head(head.seq + 1, head.sources))}
        flip.update(outbox_item(delta, head.seq + 1) for delta in deltas)
        self.store.put_many(flip)
        return deltas

    def _delistings(self, before: Designations, after: Designations,
                    head: Head) -> list[Delta]:
        """Per (source, date): active addresses whose delisting date the new file sets."""
        if before.to_wire() == after.to_wire():
            return []
        found: dict[tuple[str, dt.date], dict[str, str]] = {}
        for version in head.sources.values():
            for _, raw in self.store.scan(f"tags:v:{version}:a:"):
                for tag in _record_from_wire(raw).tags:
                    new = after.resolve(tag)
                    if new.delisted_at is not None and \
                            new.delisted_at != before.resolve(tag).delisted_at:
                        found.setdefault((tag.source, new.delisted_at), {})[
                            tag.address] = new.entity
        return [Delta(source, f"{source}@{day.isoformat()}#designations",
                      head.sources.get(source), day, removed=tuple(sorted(parties)),
                      parties=parties)
                for (source, day), parties in sorted(found.items())]

    def load(self, loaded: LoadedList, fmt: str, published: dt.date | None = None) -> Delta:
        """Make ``loaded`` the active version of its source; returns (and publishes) the delta."""
        day = published or loaded.published
        if day is None:
            raise TxmonError(f"{fmt}: the files carry no publication date; pass --published")
        self.publish_pending_deltas()  # an earlier load's delta goes out first, in order
        self._lock()
        try:
            delta = self._load_locked(loaded, fmt, day)
        finally:
            self.store.delete(LOCK)
        self.publish_pending_deltas()
        return delta

    def publish_pending_deltas(self) -> int:
        """Publish deltas staged by loads whose publish failed or was cut short.

        Call at engine start too; a no-op without a producer. Returns how many went out;
        raises DeliveryError (they stay staged) if the bus does not confirm.
        """
        if self._producer is None:
            return 0
        return publish_pending(self.store, self._producer, self._topic)

    def _load_locked(self, loaded: LoadedList, fmt: str, day: dt.date) -> Delta:
        head = self.head()
        prev_version = head.sources.get(loaded.source)
        if prev_version is not None and day < self.meta(prev_version).published:
            raise TxmonError(f"{loaded.source}: version of {day} is older than the active one "
                             f"({self.meta(prev_version).published}); load versions in order")
        lines = [wire.dumps(wire.tag_to_wire(t)) for t in loaded.tags]
        lines += [wire.dumps(_party_to_wire(p)) for p in loaded.names]
        version = version_id(loaded.source, day, lines)
        if version == prev_version:
            return Delta(loaded.source, version, prev_version, day)
        previous = self.records(prev_version) if prev_version else {}
        records = snapshot.build(loaded.tags, day, previous, loaded.ended_on)
        names = loaded.names or self._carried_names(prev_version)
        meta = VersionMeta(version, loaded.source, day, fmt, loaded.files,
                           addresses=sum(1 for r in records.values() if r.in_list),
                           names=len(names), previous=prev_version)
        self._write_version(meta, records, loaded, names)
        sources = {**head.sources, loaded.source: version}
        delta = snapshot.delta(loaded.source, version, prev_version, day, records, previous)
        if loaded.names:  # an address-only load carries the names over: nothing changed
            delta = dataclasses.replace(
                delta, names_changed=self._names_changed(prev_version, loaded.names))
        flip = {HEAD: _head_to_wire(Head(head.seq + 1, sources))}
        if self._producer is not None and not delta.empty:  # staged with the flip, atomically
            flip.update([outbox_item(delta, head.seq + 1)])
        self.store.put_many(flip)
        return delta

    def _names_changed(self, prev_version: str | None, names: list[ListedParty]) -> int:
        """Parties of ``names`` not in the previous version as they are, plus those gone."""
        after = {wire.dumps(_party_to_wire(p)) for p in names}
        before = self._name_lines(prev_version)
        return len(after - before) + len(before - after)

    def _names_between(self, v1: str, v2: str) -> int:
        before, after = self._name_lines(v1), self._name_lines(v2)
        return len(after - before) + len(before - after)

    def _name_lines(self, version: str | None) -> set[bytes]:
        raw = self.store.get(f"tags:v:{version}:names") if version else None
        return {wire.dumps(p) for p in wire.loads(raw)} if raw is not None else set()

    def _carried_names(self, prev_version: str | None) -> list[ListedParty]:
        """An address-only list (per-asset lists) keeps the names of the version before."""
        raw = self.store.get(f"tags:v:{prev_version}:names") if prev_version else None
        return [_party_from_wire(p) for p in wire.loads(raw)] if raw else []

    def _write_version(self, meta: VersionMeta, records: dict[str, Record],
                       loaded: LoadedList, names: list[ListedParty]) -> None:
        items = [(_rec_key(meta.version, a), _record_to_wire(r)) for a, r in records.items()]
        for start in range(0, len(items), _CHUNK):
            self.store.put_many(dict(items[start:start + _CHUNK]))
        self.store.put_many({
            f"tags:v:{meta.version}:names": wire.dumps([_party_to_wire(p) for p in names]),
            f"tags:v:{meta.version}:tokens": wire.dumps([_token_to_wire(t) for t in loaded.tokens]),
            f"tags:meta:{meta.version}": wire.dumps(meta.to_wire()),
        })

    def _lock(self) -> None:
        stamp = str(time.time()).encode()
        if self.store.add_if_absent(LOCK, stamp):
            return
        held = self.store.get(LOCK)
        if held is not None and time.time() - float(held) > _STALE_LOCK_SECONDS:
            self.store.delete(LOCK)
            if self.store.add_if_absent(LOCK, stamp):
                return
        raise TxmonError("another tag list load is in progress (lock key tags:lock)")

    def _blobs(self, kind: str) -> list[dict[str, Any]]:
        keys = [f"tags:v:{v}:{kind}" for v in self.head().sources.values()]
        return [item for raw in self.store.get_many(keys) if raw for item in wire.loads(raw)]


def _rec_key(version: str, address: str) -> str:
    return f"tags:v:{version}:a:{address}"


def _head_to_wire(head: Head) -> bytes:
    return wire.dumps({"seq": head.seq, "sources": head.sources})


def _record_to_wire(record: Record) -> bytes:
    return wire.dumps({"in": record.in_list, "tags": [wire.tag_to_wire(t) for t in record.tags]})


def _record_from_wire(raw: bytes) -> Record:
    data = wire.loads(raw)
    return Record(bool(data["in"]), tuple(wire.tag_from_wire(t) for t in data["tags"]))


def _party_to_wire(party: ListedParty) -> dict[str, Any]:
    return {"list_id": party.list_id, "source": party.source, "name": party.name,
            "party_type": party.party_type, "aliases": list(party.aliases),
            "dob": list(party.dob), "nationality": list(party.nationality),
            "countries": list(party.countries), "programs": list(party.programs),
            "listed_on": party.listed_on.isoformat() if party.listed_on else None}


def _party_from_wire(data: dict[str, Any]) -> ListedParty:
    listed = data.get("listed_on")
    return ListedParty(
        list_id=data["list_id"], source=data["source"], name=data["name"],
        party_type=data["party_type"], aliases=tuple(data["aliases"]), dob=tuple(data["dob"]),
        nationality=tuple(data["nationality"]), countries=tuple(data["countries"]),
        programs=tuple(data["programs"]),
        listed_on=dt.date.fromisoformat(listed) if listed else None)


def _token_to_wire(token: TokenInfo) -> dict[str, Any]:
    return {"chain": token.chain, "contract": token.contract, "symbol": token.symbol,
            "decimals": token.decimals, "name": token.name}


def _count(values: Iterator[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items()))
