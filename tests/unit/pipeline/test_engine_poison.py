"""One poison record never stops the engine (issue 10, items 1 and 3).

Each record here crashed or crash-looped the engine on main: a leg address that is a JSON
number or null (TypeError), a 600 kB amount (the reason copied the value into a header and
the dead letter exceeded the producer's 1 MB limit), a JSON array on the tag-updates topic
(AttributeError), a rule with a misspelled field (CELEvalError on the first sanctioned hit).
Now each becomes a dead letter with its reason, the batch commits, and every alert behind
it is raised.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest
from prometheus_client import REGISTRY

from alerts.publisher import FeedPublisher
from alerts.store import AlertStore
from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.rulebook import parse_rulebook
from tests.pipeline_scenario import DEPOSITOR, TEN_ETH, TORNADO_PROXY, DictLookup, transfer
from tests.pipeline_scenario import tornado_tag as _tornado_tag
from txmon import engine as engine_module
from txmon.bus.base import ALERTS, DEADLETTER, TAG_UPDATES, TRANSFERS, Bus, Message, Producer
from txmon.bus.embedded import EmbeddedBus
from txmon.engine import Engine
from txmon.errors import DeliveryError
from txmon.settings import SEEDS_DIR
from txmon.store.sqlite import SqliteStore
from txmon.wire import encode_transfer

SEEDED = (SEEDS_DIR / "rulebook.yaml").read_text()
TYPO_RULE = """
  - id: cyber-typo
    title: Tornado Cash program (misspelled field)
    severity: high
    match: {kind: sanction}
    when: hits.exists(h, "CYBER2" in h.programz)
"""
TYPO_BOOK = SEEDED.replace("rules:\n", "rules:" + TYPO_RULE, 1)


def sanctioned(n: int) -> bytes:
    return encode_transfer(transfer(f"0x{n:064x}", DEPOSITOR, TORNADO_PROXY, TEN_ETH))


def with_leg_address(value: object) -> bytes:
    record = orjson.loads(sanctioned(999))
    record["inputs"][0]["address"] = value
    return orjson.dumps(record)


def engine_for(bus: Bus, store: SqliteStore, rulebook: str = SEEDED,
               producer: Producer | None = None) -> Engine:
    producer = producer or bus.producer()
    alerts = AlertStore(store)
    return Engine(consumer=bus.consumer([TRANSFERS, TAG_UPDATES], "engine"), producer=producer,
                  enricher=Enricher(DictLookup([_tornado_tag()])),
                  rules=RuleEngine(parse_rulebook(rulebook, "rulebook.yaml")), alerts=alerts,
                  publisher=FeedPublisher(alerts, bus, producer, ALERTS),
                  transfers_topic=TRANSFERS)


def publish(bus: Bus, items: Sequence[tuple[str, bytes]]) -> None:
    producer = bus.producer()
    for topic, value in items:
        producer.send(topic, value, key=b"k")
    producer.flush()


def dead_letters(bus: Bus) -> list[Message]:
    return bus.consumer([DEADLETTER], "inspector").poll(timeout=0.2, max_records=10_000)


@pytest.fixture
def bus(tmp_path: Path) -> EmbeddedBus:
    return EmbeddedBus(tmp_path / "bus.sqlite")


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "store.sqlite")


POISON = {
    "number address": (with_leg_address(12345), "inputs.0.address: Input should be a valid str"),
    "null address": (with_leg_address(None), "inputs.0.address: Input should be a valid string"),
    "600 kB amount": (sanctioned(1).replace(b'"amount":"10000000000000000000"',
                                            b'"amount":"' + b"9" * 600_000 + b'"', 1),
                      "amount: String should have at most 78 characters"),
    "JSON array": (b"[1, 2, 3]", "invalid transfer: (record): Input should be a valid dict"),
}


@pytest.mark.parametrize("case", list(POISON))
def test_poison_transfer_is_dead_lettered_and_alerts_behind_it_are_raised(
        bus: EmbeddedBus, store: SqliteStore, case: str) -> None:
    poison, reason = POISON[case]
    publish(bus, [(TRANSFERS, sanctioned(1)), (TRANSFERS, poison),
                  *[(TRANSFERS, sanctioned(n)) for n in range(2, 22)]])
    stats = engine_for(bus, store).run(idle_exit=0.3)
    assert (stats.transfers, stats.dead_letters, len(stats.new_alerts)) == (21, 1, 21)
    [letter] = dead_letters(bus)
    headers = dict(letter.headers)
    assert reason in headers["reason"].decode()
    assert len(headers["reason"]) <= 1100  # bounded, whatever the record held
    assert headers["sha256"] == hashlib.sha256(poison).hexdigest().encode()
    assert (headers["original"], letter.value) == (b"inline", poison)
    assert (headers["source.topic"], headers["source.offset"]) == (b"txmon.transfers", b"1")
    assert all(len(v) <= 1100 for v in headers.values())  # never the value in a header


def test_a_record_larger_than_the_inline_limit_travels_as_a_pointer(
        bus: EmbeddedBus, store: SqliteStore) -> None:
    huge = b'{"pad": "' + b"x" * 950_000 + b'"}'
    publish(bus, [(TRANSFERS, huge), (TRANSFERS, sanctioned(1))])
    stats = engine_for(bus, store).run(idle_exit=0.3)
    assert (stats.dead_letters, len(stats.new_alerts)) == (1, 1)
    [letter] = dead_letters(bus)
    headers = dict(letter.headers)
    assert headers["original"] == b"pointer" and headers["size"] == b"950011"
    assert orjson.loads(letter.value) == {
        "pointer": {"topic": "txmon.transfers", "partition": "0", "offset": "0"},
        "sha256": hashlib.sha256(huge).hexdigest(), "size": 950_011}


def test_any_exception_from_decode_is_a_dead_letter(
        bus: EmbeddedBus, store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_module.decode_transfer

    def decode(data: bytes):  # an exception type nobody anticipated
        if data == b'"boom"':
            raise RuntimeError("unexpected")
        return real(data)

    monkeypatch.setattr(engine_module, "decode_transfer", decode)
    publish(bus, [(TRANSFERS, b'"boom"'), (TRANSFERS, sanctioned(1))])
    stats = engine_for(bus, store).run(idle_exit=0.3)
    assert (stats.dead_letters, len(stats.new_alerts)) == (1, 1)
    [letter] = dead_letters(bus)
    assert dict(letter.headers)["reason"] == b"undecodable transfer: RuntimeError('unexpected')"


@pytest.mark.parametrize(("update", "reason"), [
    (b"[1, 2]", "not a tags.version message: a JSON list, not an object"),
    (b'"text"', "not a tags.version message: a JSON str, not an object"),
    (b'{"type": "tags.version", "source": "ofac-sdn"}', "version: Field required"),
    (b'{"type": "tags.version", "source": "s", "version": "v", "published": "2026-02-30"}',
     "published: Value error, day is out of range for month"),
])
def test_malformed_tag_update_is_dead_lettered_and_the_stream_goes_on(
        bus: EmbeddedBus, store: SqliteStore, update: bytes, reason: str) -> None:
    publish(bus, [(TAG_UPDATES, update), (TRANSFERS, sanctioned(1)), (TRANSFERS, sanctioned(2))])
    engine = engine_for(bus, store)
    stats = engine.run(idle_exit=0.3)
    assert (stats.transfers, stats.dead_letters, len(stats.new_alerts)) == (2, 1, 2)
    [letter] = dead_letters(bus)
    assert reason in dict(letter.headers)["reason"].decode()
    assert engine._consumer.lag() == 0  # committed past it


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_rule_error_is_recorded_and_the_other_rules_still_alert(
        bus: EmbeddedBus, store: SqliteStore) -> None:
    publish(bus, [(TRANSFERS, sanctioned(n)) for n in range(1, 4)])
    before = (metric("txmon_rule_errors_total", rule="cyber-typo"),
              metric("txmon_dead_letters_total", stage="engine"))
    stats = engine_for(bus, store, TYPO_BOOK).run(idle_exit=0.3)
    after = (metric("txmon_rule_errors_total", rule="cyber-typo"),
             metric("txmon_dead_letters_total", stage="engine"))
    assert (after[0] - before[0], after[1] - before[1]) == (3, 3)
    assert stats.transfers == 3
    assert sorted(a.rule for a in stats.new_alerts) == ["sanctions-direct"] * 3
    letters = dead_letters(bus)
    assert len(letters) == 3 == stats.dead_letters
    headers = dict(letters[0].headers)
    assert headers["rule"] == b"cyber-typo"
    assert headers["transfer_id"] == f"ethereum:0x{1:064x}:0".encode()
    assert headers["reason"].decode() == (
        f"rule cyber-typo failed on ethereum:0x{1:064x}:0: "
        "CEL error: no such member in mapping: 'programz'")
    assert letters[0].value == sanctioned(1)  # the transfer, to replay after the fix


def test_hot_reload_to_a_rulebook_that_fails_the_type_check_is_refused(
        bus: EmbeddedBus, store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(SEEDED)
    producer = bus.producer()
    alerts = AlertStore(store)
    engine = Engine(consumer=bus.consumer([TRANSFERS], "engine"), producer=producer,
                    enricher=Enricher(DictLookup([_tornado_tag()])),
                    rules=RuleEngine(parse_rulebook(SEEDED, str(path)), watch=path),
                    alerts=alerts, publisher=None, transfers_topic=TRANSFERS)
    path.write_text(TYPO_BOOK)
    publish(bus, [(TRANSFERS, sanctioned(1))])
    stats = engine.run(idle_exit=0.3)
    assert [a.rule for a in stats.new_alerts] == ["sanctions-direct"]
    assert stats.dead_letters == 0
    assert "cyber-typo" not in {r.id for r in engine._rules.rulebook.rules}


class RefusingProducer(Producer):
    """A bus that refuses every dead letter at ``send`` (e.g. a topic ACL, a size limit)."""

    def __init__(self, inner: Producer) -> None:
        self.inner = inner
        self.refused = 0

    def send(self, topic, value, key=None, headers=()):
        if topic == DEADLETTER:
            self.refused += 1
            raise DeliveryError("refused")
        self.inner.send(topic, value, key, headers)

    def flush(self, timeout: float = 30.0) -> None:
        self.inner.flush(timeout)

    def close(self) -> None:
        self.inner.close()


def test_a_dead_letter_the_bus_refuses_does_not_crash_loop(
        bus: EmbeddedBus, store: SqliteStore, caplog: pytest.LogCaptureFixture) -> None:
    producer = RefusingProducer(bus.producer())
    publish(bus, [(TRANSFERS, b"{not json"), (TRANSFERS, sanctioned(1))])
    engine = engine_for(bus, store, producer=producer)
    before = metric("txmon_dead_letter_failures_total", stage="engine")
    stats = engine.run(idle_exit=0.3)
    assert metric("txmon_dead_letter_failures_total", stage="engine") - before == 1
    assert (stats.dead_letters, len(stats.new_alerts), producer.refused) == (1, 1, 2)
    assert engine._consumer.lag() == 0
    assert "dead letter not sent" in caplog.text and "'offset': 0" in caplog.text
