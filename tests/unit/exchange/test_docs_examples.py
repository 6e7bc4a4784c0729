"""Every JSON example in docs/exchange-feed.md is a valid v1 event (docs cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.exchange.mapping import effects
from ingest.exchange.schema import parse

DOC = Path(__file__).resolve().parents[3] / "docs" / "exchange-feed.md"


def test_doc_examples_validate_and_map() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 6
    types = []
    for block in blocks:
        event = parse(block.encode())
        effects(event)
        types.append(event["type"])
    assert types == ["account.opened", "deposit_address.assigned", "deposit.credited",
                     "withdrawal.requested", "internal.transfer", "login"]
    withdrawal = effects(parse(blocks[3].encode())).transfers[0]
    assert withdrawal.extra["mof_report"] == "over-30m-jpy"
    assert withdrawal.exchange is not None
    assert withdrawal.exchange.beneficiary == "Garantex Europe OU"
