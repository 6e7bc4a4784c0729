"""Build bench/data/names.jsonl, the labelled name-screening benchmark, from the lists.

``python bench/make_names.py`` — deterministic (fixed seed). How each label is built is in
bench/data/README.md. Labels never come from txmon's matcher: a query made from a listed
party expects that party, every party linked to it (``screening.links``) and every party
with a name whose folded tokens contain the query's clean tokens (a namesake on another
list is a right answer too); a hand-written query names its party by a Latin hint resolved
the same way. Negatives are dropped when their clean tokens are a listed name's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import names_lists
import names_seed as seed

from enrich.sources.base import ListedParty
from screening import dates
from screening.kana import has_kana
from screening.text import normalise

OUT = Path(__file__).resolve().parent / "data" / "names.jsonl"
Key = tuple[str, str]


class Labels:
    """Who a query should hit: resolved from Latin name tokens, never by the matcher."""

    def __init__(self, parties: list[ListedParty], links: names_lists.PartyLinks) -> None:
        self.parties = parties
        self.links = links
        self.by_token: dict[str, set[int]] = defaultdict(set)
        self.names: list[list[frozenset[str]]] = []
        for i, p in enumerate(parties):
            sets = [frozenset(normalise(n)) for n in (p.name, *p.aliases)]
            self.names.append(sets)
            for s in sets:
                for t in s:
                    self.by_token[t].add(i)

    def holders(self, latin: str) -> list[int]:
        """Parties with a name or alias containing every folded token of ``latin``."""
        want = frozenset(normalise(latin))
        if not want:
            return []
        pool = set.intersection(*(self.by_token.get(t, set()) for t in want))
        return sorted(i for i in pool if any(want <= s for s in self.names[i]))

    def expect(self, indexes: Iterable[int]) -> list[Key]:
        keys: set[Key] = set()
        for i in indexes:
            p = self.parties[i]
            keys.update(self.links.group((p.source, p.list_id)))
        return sorted(keys)


def split_of(query_id: str) -> str:
    """40 % dev (looked at while tuning), 60 % held out, by a hash of the id."""
    return "dev" if int(hashlib.sha256(query_id.encode()).hexdigest(), 16) % 10 < 4 else "test"


def row(cat: str, query: str, expect: list[Key], how: str, dob: str | None = None,
        decision: str | None = None) -> dict:
    decision = decision or ("review" if expect else "allow")
    qid = f"{cat}:{query}:{dob or ''}"
    return {"id": qid, "category": cat, "query": query, "dob": dob,
            "expect": [list(k) for k in expect], "decision": decision, "how": how,
            "split": split_of(qid)}


def latin_of(p: ListedParty) -> str:
    """The party's first Latin-script name (MOF: the English name)."""
    for n in (p.name, *p.aliases):
        if n.isascii() and normalise(n):
            return n
    return p.name


def full_dob(p: ListedParty) -> dt.date | None:
    for text in p.dob:
        for d in dates.parse(text):
            if d.month and d.day and not d.approx:
                return dt.date(d.year, d.month, d.day)
    return None


def main() -> None:
    rng = random.Random(20261204)
    matcher, links = names_lists.load()
    parties = matcher.index.parties
    labels = Labels(parties, links)
    rows: list[dict] = []

    def own(i: int) -> list[Key]:
        """The party itself, its links, and namesakes holding its clean Latin name."""
        clean = seed.given_and_surname(latin_of(parties[i]))
        namesakes = labels.holders(clean) if len(normalise(clean)) >= 2 else []
        return labels.expect([i, *namesakes])

    mof = [i for i, p in enumerate(parties) if p.source == "jp-mof" and p.party_type ==
           "individual" and has_kana(p.name) and "・" in p.name and not seed.has_han(p.name)]
    rng.shuffle(mof)
    for i in mof[:40]:
        rows.append(row("katakana-mof", parties[i].name, own(i), "MOF's own katakana name"))
    for n, i in enumerate(mof[40:120]):
        variant, how = seed.kana_variant(parties[i].name, n)
        if variant and variant != parties[i].name:
            rows.append(row("katakana-variant", variant, own(i), how))
    for query, hint in seed.KANA_OF_LATIN:
        rows.append(row("katakana-latin", query, labels.expect(labels.holders(hint)),
                        f"hand-written katakana of {hint!r}", decision="review"))
    mof_han = [i for i, p in enumerate(parties) if p.source == "jp-mof"
               and seed.has_han(p.name) and not has_kana(p.name)]
    rng.shuffle(mof_han)
    for i in mof_han[:10]:
        rows.append(row("kanji", parties[i].name, own(i), "MOF's own kanji name"))
    for query, hint in seed.KANJI:
        rows.append(row("kanji", query, labels.expect(labels.holders(hint)),
                        f"kanji of {hint!r}", decision="review"))
    for query, hint in seed.CYRILLIC:
        rows.append(row("cyrillic", query, labels.expect(labels.holders(hint)),
                        f"Cyrillic of {hint!r}", decision="review"))
    for query, hint in seed.HANGUL:
        rows.append(row("hangul", query, labels.expect(labels.holders(hint)),
                        f"Hangul of {hint!r}", decision="review"))

    latin = [i for i, p in enumerate(parties) if p.party_type == "individual"
             and p.source in ("ofac-sdn", "un-sc") and len(normalise(latin_of(p))) >= 2]
    rng.shuffle(latin)
    made = 0
    for i in latin:
        variant = seed.translit_variant(seed.given_and_surname(latin_of(parties[i])))
        if variant and made < 40:
            rows.append(row("translit", variant, own(i), "romanisation variant"))
            made += 1
    for i in latin[200:245]:
        typo = seed.typo(seed.given_and_surname(latin_of(parties[i])), rng)
        if typo:
            rows.append(row("typo", typo, own(i), "one edit in the longest word"))
    entities = [i for i, p in enumerate(parties) if p.party_type == "entity"
                and p.source == "ofac-sdn" and seed.legal_core(p.name)]
    rng.shuffle(entities)
    for i in entities[:25]:
        core, form = seed.legal_core(parties[i].name)
        query = f"{core.title()} {seed.other_form(form, rng)}"
        rows.append(row("legal-form", query, labels.expect([i, *labels.holders(core)]),
                        "name without its legal form, another form added"))

    dated = [i for i in latin + mof if full_dob(parties[i]) and "(" not in latin_of(parties[i])
             and len(normalise(seed.given_and_surname(latin_of(parties[i])))) >= 2]
    rng.shuffle(dated)
    for i in dated[:30]:
        clean = seed.given_and_surname(latin_of(parties[i]))
        rows.append(row("dob-confirm", clean, own(i), "listed name + listed DOB",
                        full_dob(parties[i]).isoformat(), "block"))
    for i in dated[30:60]:
        clean = seed.given_and_surname(latin_of(parties[i]))
        namesakes = labels.holders(clean)
        if len({parties[j].dob for j in namesakes}) > 1:
            continue  # another listed party of that name with another DOB: not ruled out
        born = full_dob(parties[i])
        other = born.replace(year=born.year - 9 if born.year > 1940 else born.year + 9)
        rows.append(row("dob-ruleout", clean, [], "listed name, DOB nine years off",
                        other.isoformat(), "allow"))

    for query, hint, dob, decision in seed.SPECIAL:
        expect = labels.expect(labels.holders(hint)) if hint and decision != "allow" else []
        rows.append(row("special", query, expect, seed.SPECIAL_WHY[query], dob, decision))

    listed = {frozenset(s) for sets in labels.names for s in sets}
    for query, cat in seed.negatives(rng):
        if frozenset(normalise(query)) in listed:
            continue  # a real namesake of a listed name: not a negative
        rows.append(row(cat, query, [], "common name, not listed"))

    seen: set[str] = set()
    with OUT.open("w", encoding="utf-8") as out:
        for r in rows:
            if r["id"] in seen:
                continue
            if r["decision"] != "allow" and not r["expect"]:
                print(f"unresolved label, dropped: {r['query']!r} ({r['how']})", file=sys.stderr)
                continue
            seen.add(r["id"])
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["category"]] += 1
    print(f"{len(seen)} queries -> {OUT}", dict(counts))


if __name__ == "__main__":
    main()
