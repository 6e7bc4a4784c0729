"""Property: whatever a producer writes, decoding it gives a record or a BadRecord.

Hypothesis replaces one field of a valid record (a transfer on the bus, an exchange event)
with an arbitrary JSON value, or sends arbitrary bytes. The only failure allowed is
:class:`~txmon.errors.BadRecord` with a bounded reason — never a TypeError or ValueError
that would reach the consumer loop (issue 10: a number or null as an address, a date that
does not exist).
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.enricher import Enricher
from ingest.exchange.mapping import effects
from ingest.exchange.schema import parse
from rules.engine import RuleEngine
from rules.rulebook import load_rulebook
from tests.pipeline_scenario import DictLookup, scenario, tornado_tag
from tests.unit.exchange.stream import ADDRESSES, ETH, IVMS, event
from txmon.errors import BadRecord
from txmon.settings import SEEDS_DIR
from txmon.wire import decode_transfer, encode_transfer

TRANSFER = orjson.loads(encode_transfer(scenario()[0]))
EVENTS = [
    event(1, "deposit.credited", "A1", asset=ETH, amount="15", address=ADDRESSES[0],
          tx_hash="0x" + "ab" * 32, output_index=0, from_addresses=[ADDRESSES[3]],
          value_jpy="30000001", travel_rule=IVMS, block_number=5),
    event(2, "withdrawal.sent", "A1", asset=ETH, amount="1", withdrawal_id="W1",
          to_address=ADDRESSES[2], tx_hash="0x" + "cd" * 32),
    event(3, "account.opened", "A1", customer={"type": "natural", "names": [
        {"full": "Taro Yamada"}], "dob": "1980-01-01", "nationality": ["JP"]}),
    event(4, "deposit_address.assigned", "A1", chain="ethereum", address=ADDRESSES[1]),
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            out += paths(item, (*prefix, n))
    return out


def replaced(base: dict, path: tuple, value: Any) -> bytes:
    if not path:
        return orjson.dumps(value)
    data = copy.deepcopy(base)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return orjson.dumps(data)


def only_bad_record(decode: Any, raw: bytes) -> Any:
    try:
        return decode(raw)
    except BadRecord as exc:
        assert len(str(exc)) < 1500
    # anything else propagates and fails the property
    return None


ENRICHER = Enricher(DictLookup([tornado_tag()]))
RULES = RuleEngine(load_rulebook(SEEDS_DIR / "rulebook.yaml"))


def evaluates(raw: bytes) -> None:
    """What decodes, the rules can evaluate (on main a number address passed decoding and
    crashed enrichment with AttributeError)."""
    transfer = only_bad_record(decode_transfer, raw)
    if transfer is not None:
        RULES.evaluate(ENRICHER.enrich(transfer), track_exposure=False)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(paths(TRANSFER)), JSON)
def test_a_transfer_with_any_field_replaced_decodes_or_is_a_bad_record(path, value) -> None:
    evaluates(replaced(TRANSFER, path, value))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([(n, p) for n, e in enumerate(EVENTS) for p in paths(e)]), JSON)
def test_an_event_with_any_field_replaced_maps_or_is_a_bad_record(where, value) -> None:
    n, path = where
    only_bad_record(lambda raw: effects(parse(raw)), replaced(EVENTS[n], path, value))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_a_bad_record(raw: bytes) -> None:
    only_bad_record(decode_transfer, raw)
    only_bad_record(lambda r: effects(parse(r)), raw)
