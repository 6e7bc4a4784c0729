"""Through the real CLI, embedded: a UN edition that only adds a name re-screens the
customers of ``txmon ingest exchange`` (it used to say "0 re-screened") and raises one
alert, which ``txmon alerts report`` turns into the MOF report. The customer is GBi.003,
the one UN-excerpt individual that none of the seeded lists (OFAC, MOF) names already —
MOF mirrors the UN regimes, and a party already listed there is already one alert."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
from click.testing import CliRunner, Result

from tests.unit.exchange.stream import event
from tests.unit.exchange.test_screening_alerts import UN, un_without
from txmon.bus.base import EXCHANGE_EVENTS
from txmon.bus.embedded import EmbeddedBus
from txmon.cli.main import main

DANFA = {"type": "natural", "names": [{"full": "Cranha Danfa"}], "nationality": ["GW"]}


def _run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def test_a_names_only_edition_rescreens_through_the_cli(tmp_path: Path) -> None:
    data = tmp_path / "data"
    older = un_without(tmp_path, "GBi.003")
    assert _run(data, "tags", "load", "un-xml", str(older)).exit_code == 0
    bus = EmbeddedBus(data / "bus.sqlite")
    producer = bus.producer()
    producer.send(EXCHANGE_EVENTS, orjson.dumps(event(1, "account.opened", "A-9",
                                                      customer=DANFA)), key=b"A-9")
    producer.flush()
    first = _run(data, "ingest", "exchange", "--idle-exit", "0.5")
    assert "1 customers screened" in first.stderr and "0 alerts raised" in first.stderr

    loaded = _run(data, "tags", "load", "un-xml", str(UN))
    assert orjson.loads(loaded.stdout)["names_changed"] == 1
    assert "(+0 -0 ~0), 1 parties changed" in loaded.stderr
    second = _run(data, "ingest", "exchange", "--idle-exit", "0.5")
    assert "1 re-screened, 1 alerts raised" in second.stderr, second.stderr

    [alert] = [orjson.loads(line) for line in
               _run(data, "alerts", "list", "--json").stdout.splitlines()]
    # no DOB, but the customer's nationality (GW) is the listed one: a confirmed match
    assert (alert["rule"], alert["severity"]) == ("customer-name-match", "critical")
    human = _run(data, "alerts", "list").stdout
    assert "[CRITICAL] customer-name-match (as of " in human and "customer A-9" in human
    assert "listed: CRANHA DANFA (un-sc GBi.003, block)" in human
    assert "amount 0" not in human  # a customer alert moves nothing: no misleading amount
    report = _run(data, "alerts", "report", alert["id"], "--kind", "mof", "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(report.stdout)))
    assert (row["party"], row["list"], row["list_record"], row["account"], row["action"]) == (
        "CRANHA DANFA", "un-sc", "GBi.003", "A-9", "blocked")
