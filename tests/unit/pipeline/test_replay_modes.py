"""Replay modes say what they are, and `rules test` judges exactly as the engine does.

The input is real: the 10 ETH Tornado Cash deposit of mainnet block 13,326,607
(tx 0xd7449b5b…2742, seeds/demo/transfers.ndjson, from flashbots/mev-inspect-py's
recording of that block) and the other transfers recorded with it, screened against the
seeded OFAC lists (Tornado Cash designated 2022-08-08). The recording has no block
timestamp, so the test sets the block's date, 2021-09-30, which is the point in time the
replay must judge it by; everything else is the recorded record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from enrich.enricher import TagLookup
from rules.backtest import BacktestStats, backtest
from rules.judgement import Mode
from rules.rulebook import load_rulebook
from txmon.app import App
from txmon.bus.base import TRANSFERS
from txmon.models import Alert, Transfer
from txmon.settings import SEEDS_DIR, load_settings
from txmon.wire import decode_transfer, encode_transfer

DEPOSIT_TX = "0xd7449b5beca2ace54c888e1b2e91220381f6665fb0d8e5650b6a1e860e812742"
BLOCK_TIME = dt.datetime(2021, 9, 30, 12, tzinfo=dt.UTC)
TORNADO_PROXY = "0x722122df12d4e14e13ac3b6895a86e84145b6967"


def block_13326607() -> list[Transfer]:
    """The recorded transfers of block 13,326,607, with the block's date."""
    lines = (SEEDS_DIR / "demo" / "transfers.ndjson").read_bytes().splitlines()
    transfers = [decode_transfer(line) for line in lines if line.strip()]
    return [dataclasses.replace(t, block_time=BLOCK_TIME)
            for t in transfers if t.block_number == 13_326_607]


@pytest.fixture(scope="module")
def tag_index(tmp_path_factory: pytest.TempPathFactory) -> TagLookup:
    """The seeded lists (real OFAC data), as the configured tag store serves them."""
    app = App(load_settings(data_dir=tmp_path_factory.mktemp("tags")))
    return app.tag_index


def run_engine(tmp_path: Path, tag_index: TagLookup, transfers: list[Transfer],
               mode: Mode | None) -> list[Alert]:
    """The engine as `txmon replay` builds it (scratch embedded state), in ``mode``."""
    work = App(load_settings(data_dir=tmp_path, as_of=mode.as_of if mode else None))
    work.tag_index = tag_index  # type: ignore[misc]
    try:
        producer = work.producer()
        for transfer in transfers:
            producer.send(work.topic(TRANSFERS), encode_transfer(transfer), key=b"ethereum")
        producer.flush()
        engine = work.engine("replay", mode=mode)
        engine.drain()
        return engine.stats.new_alerts
    finally:
        work.close()


def test_replay_without_as_of_is_point_in_time(tmp_path: Path, tag_index: TagLookup) -> None:
    # On 2021-09-30 Tornado Cash was not designated: the live pipeline raised nothing.
    assert run_engine(tmp_path, tag_index, block_13326607(), Mode.replay()) == []


def test_replay_lookback_raises_the_retroactive_alert_and_says_so(
        tmp_path: Path, tag_index: TagLookup) -> None:
    [alert] = run_engine(tmp_path, tag_index, block_13326607(), Mode.replay(lookback=True))
    assert (alert.tx_hash, alert.rule, alert.addresses) == (
        DEPOSIT_TX, "sanctions-direct", (TORNADO_PROXY,))
    assert alert.amount == 10 * 10**18 and alert.retroactive
    assert alert.evidence["mode"] == "replay-lookback"
    assert alert.evidence["retroactive"]["designated"] == "2022-08-08"  # type: ignore[index]


def test_replay_as_of_a_later_date_includes_the_designation(
        tmp_path: Path, tag_index: TagLookup) -> None:
    mode = Mode.replay(as_of=dt.date(2022, 8, 8))
    [alert] = run_engine(tmp_path, tag_index, block_13326607(), mode)
    assert alert.tx_hash == DEPOSIT_TX and not alert.retroactive
    assert alert.as_of == dt.date(2022, 8, 8)
    assert alert.evidence["mode"] == "as-of 2022-08-08"


def test_live_engine_labels_its_alerts_live(tmp_path: Path, tag_index: TagLookup) -> None:
    [alert] = run_engine(tmp_path, tag_index, block_13326607(), None)
    assert alert.tx_hash == DEPOSIT_TX and alert.retroactive
    assert alert.evidence["mode"] == "live"


def test_lookback_and_as_of_exclude_each_other() -> None:
    with pytest.raises(ValueError, match="lookback"):
        Mode(name="x", as_of=dt.date(2022, 8, 8), lookback=True)


def _comparable(alerts: list[Alert]) -> list[tuple[str, bool, dict]]:
    """Alert id, retroactive flag and evidence without the mode label."""
    return sorted((a.id, a.retroactive, {k: v for k, v in a.evidence.items() if k != "mode"})
                  for a in alerts)


@pytest.mark.parametrize(("engine_mode", "lookback"), [
    (None, True),  # the live engine and `rules test` (its default)
    (Mode.replay(), False),  # point-in-time replay and `rules test --point-in-time`
])
def test_backtest_and_engine_agree_on_the_same_input(
        tmp_path: Path, tag_index: TagLookup, engine_mode: Mode | None, lookback: bool) -> None:
    lines = (SEEDS_DIR / "demo" / "transfers.ndjson").read_bytes().splitlines()
    transfers = [decode_transfer(line) for line in lines if line.strip()]
    transfers = [t if t.block_time else dataclasses.replace(t, block_time=BLOCK_TIME)
                 for t in transfers]  # the 13,326,607 records lack their block time
    from_engine = run_engine(tmp_path, tag_index, transfers, engine_mode)
    from_backtest = list(backtest([encode_transfer(t) for t in transfers],
                                  load_rulebook(SEEDS_DIR / "rulebook.yaml"), tag_index,
                                  None, None, BacktestStats(), lookback=lookback))
    assert _comparable(from_backtest) == _comparable(from_engine)
    assert {a.evidence["mode"] for a in from_backtest} <= {
        "backtest-lookback" if lookback else "backtest-point-in-time"}
    if lookback:  # the case the backtest used to leave out: designated after the transfer
        assert any(a.retroactive and a.tx_hash == DEPOSIT_TX for a in from_backtest)


def test_rules_test_cli_in_both_modes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from txmon.cli.main import main

    against = tmp_path / "block.ndjson"
    against.write_bytes(b"\n".join(encode_transfer(t) for t in block_13326607()))
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path), "rules", "test", str(SEEDS_DIR / "rulebook.yaml"),
            "--against", str(against)]
    looked_back = runner.invoke(main, args)
    assert looked_back.exit_code == 0, looked_back.output
    assert "RETROACTIVE" in looked_back.output and "backtest-lookback" in looked_back.output
    assert DEPOSIT_TX in looked_back.output and "would raise 1 alerts" in looked_back.output
    at_the_time = runner.invoke(main, [*args, "--point-in-time"])
    assert at_the_time.exit_code == 0, at_the_time.output
    assert "would raise 0 alerts" in at_the_time.output


def test_replay_refuses_lookback_with_as_of(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from txmon.cli.main import main

    done = CliRunner().invoke(main, [
        "--data-dir", str(tmp_path), "replay", "ethereum", "--rpc", "http://127.0.0.1:9",
        "--from", "1", "--to", "1", "--lookback", "--as-of", "2022-08-08"])
    assert done.exit_code == 2 and "exclude each other" in done.output
