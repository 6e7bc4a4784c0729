"""Alerts for alert-store tests, raised by the real rule engine on real listed addresses.

The listed address is Tornado Cash ``0x8576acc5…353c`` from the 0xB10C OFAC list file
``sanctioned_addresses_ETH.txt`` (commit f2aee226, 2024-09-27), see tests/unit/rules/factory.py.
"""

from __future__ import annotations

from enrich.enricher import Enricher
from rules.engine import RuleEngine
from rules.rulebook import parse_rulebook
from tests.unit.rules.factory import ALICE, TORNADO, WEI, DictLookup, tornado_tag, transfer
from txmon.models import Alert

RULEBOOK = """version: "t1"
rules:
  - id: sanctions-direct
    title: Direct exposure to a sanctioned address
    severity: critical
    match: {kind: sanction}
"""


def sample_alerts(count: int) -> list[Alert]:
    """``count`` distinct direct-exposure alerts (one per transfer to Tornado Cash)."""
    engine = RuleEngine(parse_rulebook(RULEBOOK))
    enricher = Enricher(DictLookup([tornado_tag(TORNADO)]))
    transfers = [transfer(n, [(ALICE, n * WEI)], [(TORNADO, n * WEI)]) for n in range(1, count + 1)]
    return [a for t in transfers for a in engine.evaluate(enricher.enrich(t))]
