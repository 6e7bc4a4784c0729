"""Fault injection on the real Kafka and Redis: poison records and a rule typo (issue 10).

On main each of these kinds crash-looped its consumer and wedged the partition (8–12 of 20
alerts behind the poison record were never raised; 151 of 355 exchange transfers never
delivered). Here the engine gets every kind — plus 10,000 seeded-random malformed records,
malformed tag updates, a record too large to copy into a dead letter, and a rulebook
whose typo fails on every sanctioned hit — mixed with 20 sanctioned transfers. Asserted by
reading the topics back: every bad record is on the dead-letter topic with its reason
(matched by the SHA-256 of its bytes), every expected alert is on the feed exactly once, and
the engine consumed everything (lag 0) without dying.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from alerts.feed import verify_events
from rules.engine import alert_id
from tests.pipeline_scenario import DEPOSITOR, TEN_ETH, TORNADO_PROXY, transfer
from tests.unit.exchange.helpers import ingest, read_all
from tests.unit.exchange.stream import ADDRESSES, ETH, event
from txmon.app import App
from txmon.bus.base import ALERTS, DEADLETTER, EXCHANGE_EVENTS, TAG_UPDATES, TRANSFERS
from txmon.settings import SEEDS_DIR
from txmon.wire import decode_transfer, encode_transfer

pytestmark = pytest.mark.integration

RANDOM_BAD = 10_000
SANCTIONED = 20
TYPO_RULE = """
  - id: cyber-typo
    title: Tornado Cash program (misspelled field)
    severity: high
    match: {kind: sanction}
    when: hits.exists(h, "CYBER2" in h.programz)
"""
BTC_ADDRESS = "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"


def sanctioned(n: int) -> bytes:
    return encode_transfer(transfer(f"0x{n:064x}", DEPOSITOR, TORNADO_PROXY, TEN_ETH))


def record(n: int) -> dict:
    """A valid record (a clean transfer) to break: unique per ``n``."""
    return orjson.loads(encode_transfer(transfer(f"0x{10**6 + n:064x}", DEPOSITOR,
                                                 ADDRESSES[0].lower(), 5)))


def set_field(n: int, path: str, value: object) -> bytes:
    data = record(n)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return orjson.dumps(data)


# Every kind of issue 10 (items 1 and 8), each with the reason its dead letter must carry.
KINDS: dict[str, tuple[Callable[[int], bytes], str]] = {
    "number address": (lambda n: set_field(n, "inputs.0.address", 12345),
                       "inputs.0.address: Input should be a valid string"),
    "null address": (lambda n: set_field(n, "outputs.0.address", None),
                     "outputs.0.address: Input should be a valid string"),
    "600 kB amount": (lambda n: set_field(n, "outputs.0.amount", "9" * 600_000),
                      "outputs.0.amount: String should have at most 78 characters"),
    "JSON array": (lambda n: orjson.dumps([n, "transfer"]), "Input should be a valid dict"),
    "amount >= 2^256": (lambda n: set_field(n, "outputs.0.amount", str(2**256 + n)),
                        "exceeds 2^256-1"),
    "underscore amount": (lambda n: set_field(n, "outputs.0.amount", f"1_{n:03d}"),
                          "outputs.0.amount: String should match pattern"),
    "full-width amount": (lambda n: set_field(n, "outputs.0.amount", "１２" + str(n)),
                          "outputs.0.amount: String should match pattern"),
    "float amount": (lambda n: set_field(n, "outputs.0.amount", n + 0.5),
                     "outputs.0.amount: Input should be a valid string"),
    "float index": (lambda n: set_field(n, "index", n + 0.5),
                    "index: Input should be a valid integer"),
    "bool index": (lambda n: set_field(n, "index", n % 2 == 0),
                   "index: Input should be a valid integer"),
    "short tx_hash": (lambda n: set_field(n, "tx_hash", f"0x{n:x}"), "is not a ethereum hash"),
    "unknown chain": (lambda n: set_field(n, "chain", f"chain{n}"), "unknown chain 'chain"),
    "unreal date": (lambda n: set_field(n, "block_time", f"20{n % 90 + 10}-02-30T10:00:00Z"),
                    "block_time: Value error, day is out of range for month"),
    "BTC address on ETH": (lambda n: set_field(n, "outputs.0.address", BTC_ADDRESS),
                           "outputs.0.address: not a ethereum address"),
    "full-width 0x": (lambda n: set_field(n, "outputs.0.address", "０ｘ" + "ab" * 20),
                      "outputs.0.address: not a ethereum address"),
    "not JSON": (lambda n: b"\x00garbage %d" % n, "not JSON"),
    "truncated": (lambda n: orjson.dumps(record(n))[:-1 - n % 50], "not JSON"),
    "back-office ETH to BTC": (
        lambda n: orjson.dumps({
            "chain": "exchange", "network": "back-office", "asset": ETH, "tx_hash": f"wd-W{n}",
            "index": 0, "inputs": [{"address": f"account:A{n}", "amount": "1"}],
            "outputs": [{"address": BTC_ADDRESS, "amount": "1"}], "kind": "exchange"}),
        "outputs.0.address: not a ethereum address"),
}
TAG_UPDATE_POISON = {
    b"[1, 2, 3]": "a JSON list, not an object",
    b'{"type": "tags.version", "source": "ofac-sdn"}': "version: Field required",
    b'{"type": "tags.version", "source": "s", "version": "v", "published": "2026-02-30"}':
        "published: Value error, day is out of range",
}


def poison_stream(seed: int = 10) -> tuple[list[bytes], dict[str, str]]:
    """Each kind once, then ``RANDOM_BAD`` seeded-random ones: records and digest → reason."""
    rng = random.Random(seed)
    names = list(KINDS)
    cheap = [name for name in names if name != "600 kB amount"]  # once is enough on a bus
    picks = names + [rng.choice(cheap) for _ in range(RANDOM_BAD)]
    records, reasons = [], {}
    for n, name in enumerate(picks):
        make, reason = KINDS[name]
        raw = make(n)
        records.append(raw)
        reasons[_digest(raw)] = reason
    assert len(reasons) == len(records)  # unique bytes: each has its own dead letter
    return records, reasons


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@pytest.fixture
def app(live_app: App, tmp_path: Path) -> App:
    book = tmp_path / "rulebook.yaml"
    book.write_text((SEEDS_DIR / "rulebook.yaml").read_text().replace(
        "rules:\n", "rules:" + TYPO_RULE, 1))
    live_app.settings = live_app.settings.model_copy(update={"rulebook": book})
    return live_app


def test_poison_records_and_a_rule_typo_never_stop_the_engine(app: App) -> None:
    started = time.monotonic()
    poison, reasons = poison_stream()
    good = [sanctioned(n) for n in range(1, SANCTIONED + 1)]
    huge = b'{"pad": "' + b"x" * 950_000 + b'"}'  # too large to copy: a pointer
    producer = app.producer()
    rng = random.Random(7)
    mixed = [(v, b"ethereum") for v in good] + [(v, b"%d" % i) for i, v in enumerate(poison)]
    rng.shuffle(mixed)
    for value, key in [(huge, b"x"), *mixed]:
        producer.send(app.topic(TRANSFERS), value, key=key)
    for value in TAG_UPDATE_POISON:
        producer.send(app.topic(TAG_UPDATES), value, key=b"ofac-sdn")
    producer.flush()

    engine = app.engine("poison")
    expected_dead = len(poison) + 1 + len(TAG_UPDATE_POISON) + SANCTIONED  # + rule errors
    deadline = time.monotonic() + 100

    def done() -> bool:
        s = engine.stats
        return (s.transfers >= SANCTIONED and s.dead_letters >= expected_dead) or (
            time.monotonic() > deadline)

    stats = engine.run(stop=done)
    assert stats.transfers == SANCTIONED
    assert stats.dead_letters == expected_dead
    assert engine._consumer.lag() == 0  # everything committed: no wedged partition

    ns = app.settings.namespace
    dead = read_all(app.bus, app.topic(DEADLETTER), f"{ns}-dlq", idle_polls=2, timeout=1.0,
                    expect=expected_dead)
    by_digest: dict[str, list[dict[str, bytes]]] = {}
    for message in dead:
        headers = dict(message.headers)
        assert all(len(v) <= 1100 for v in headers.values())  # bounded: never the value
        by_digest.setdefault(headers["sha256"].decode(), []).append(headers)
    for digest, reason in reasons.items():  # every bad record, with its reason
        [headers] = by_digest[digest]
        assert reason in headers["reason"].decode(), (reason, headers["reason"][:200])
        assert headers["original"] == b"inline"
    [pointer] = by_digest[_digest(huge)]
    assert (pointer["original"], pointer["size"]) == (b"pointer", b"950011")
    for value, reason in TAG_UPDATE_POISON.items():
        [headers] = by_digest[_digest(value)]
        assert headers["source.topic"] == app.topic(TAG_UPDATES).encode()
        assert reason in headers["reason"].decode()
    rule_errors = Counter(h["transfer_id"].decode() for hs in by_digest.values() for h in hs
                          if h.get("rule") == b"cyber-typo")
    ids = [decode_transfer(v).id for v in good]
    assert rule_errors == Counter(ids)  # one per sanctioned transfer, each named

    events = read_all(app.bus, app.topic(ALERTS), f"{ns}-feed", idle_polls=2, timeout=1.0,
                      expect=SANCTIONED)
    feed = [orjson.loads(m.value) for m in events]
    assert sorted(e["id"] for e in feed) == sorted(alert_id("sanctions-direct", i) for i in ids)
    assert verify_events(feed) == SANCTIONED  # exactly once each, chain intact
    assert time.monotonic() - started < 120


def test_exchange_feed_dead_letters_unreal_dates_and_delivers_the_rest(app: App) -> None:
    ns = app.settings.namespace
    topics = {"events": app.topic(EXCHANGE_EVENTS), "tags": app.topic(TAG_UPDATES),
              "transfers": app.topic(TRANSFERS), "dead": app.topic(DEADLETTER),
              "group": f"{ns}-exchange"}
    unreal = {**event(0, "login", "A1", ip_country="JP"), "time": "2026-02-30T10:00:00Z"}
    to_btc = event(1, "withdrawal.requested", "A1", asset=ETH, amount="1", withdrawal_id="W1",
                   to_address=BTC_ADDRESS)
    deposits = [event(n, "internal.transfer", "A1", asset=ETH, amount=str(n), to_account="A2")
                for n in range(2, 102)]
    producer = app.producer()
    for body in (unreal, to_btc, *deposits):
        producer.send(topics["events"], orjson.dumps(body), key=b"A1")
    producer.send(topics["tags"], b"[1]", key=b"x")
    producer.flush()
    worker = ingest(app.bus, app.store, topics, app.producer())
    deadline = time.monotonic() + 40
    worker.run(stop=lambda: (worker.counts.transfers >= 100 and worker.counts.dead >= 3)
               or time.monotonic() > deadline, timeout=0.5)
    worker.close()
    assert (worker.counts.transfers, worker.counts.dead) == (100, 3)
    delivered = read_all(app.bus, topics["transfers"], f"{ns}-check", expect=100, timeout=1.0)
    assert {decode_transfer(m.value).id for m in delivered} == {
        f"exchange:int-ev-{n}:0" for n in range(2, 102)}
    dead = read_all(app.bus, topics["dead"], f"{ns}-check", expect=3, timeout=1.0)
    reasons = sorted(dict(m.headers)["reason"].decode() for m in dead)
    assert [r[:40] for r in reasons] == [
        "not a tags.version message: a JSON list,",
        "time '2026-02-30T10:00:00Z' is not a rea",
        "to_address: not a ethereum address: 'bc1",
    ]
