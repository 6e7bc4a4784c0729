"""The chain registry (txmon/chains.py) is the one list of chains: every consumer reads it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from txmon import chains
from txmon.chains import CHAINS, SourceOptions
from txmon.errors import ConfigError


def test_cli_chain_commands_are_the_registry() -> None:
    from txmon.cli.ingest import ingest
    from txmon.cli.replay import replay

    assert set(replay.commands) == set(CHAINS)
    assert set(ingest.commands) - {"exchange"} == set(CHAINS)


def test_screening_and_api_read_the_registry() -> None:
    from screening.api import AddressRequest
    from screening.reading import CHAIN_FAMILIES

    assert CHAIN_FAMILIES == {"ethereum": "evm", "bitcoin": "bitcoin"}
    schema = AddressRequest.model_json_schema()["properties"]["chain"]
    assert {"type": "string", "enum": list(CHAINS)} in schema["anyOf"]
    with pytest.raises(ValueError, match="must be one of ethereum, bitcoin"):
        AddressRequest(address="0x00", chain="solana")
    assert [c.native_key for c in CHAINS.values()] == ["ethereum:ETH", "bitcoin:BTC"]
    from screening.batch import AddressLine

    with pytest.raises(ValueError, match="must be one of ethereum, bitcoin"):
        AddressLine(id=1, address="0x00", chain="solana")
    assert AddressLine(id=1, address="0x00", chain="bitcoin").chain == "bitcoin"


def test_each_entry_names_its_source_factory_by_import_path() -> None:
    from ingest.bitcoin import factory as bitcoin_factory
    from ingest.ethereum import factory as ethereum_factory

    assert chains.chain("ethereum").source_factory() is ethereum_factory.build
    assert chains.chain("bitcoin").source_factory() is bitcoin_factory.build


def test_an_option_the_chain_does_not_take_is_refused_not_ignored() -> None:
    with pytest.raises(ConfigError, match="--blocks-dir, --start-height: not an option of "
                                          "ethereum"):
        chains.chain("ethereum").check_options(
            SourceOptions(rpc_url="http://x", blocks_dir="/b", start_height=5))
    with pytest.raises(ConfigError, match="--no-traces: not an option of bitcoin"):
        chains.chain("bitcoin").check_options(SourceOptions(no_traces=True))
    chains.chain("bitcoin").check_options(SourceOptions(rpc_url="http://x", network="regtest"))


def test_replay_refuses_a_misplaced_option_with_exit_2(tmp_path) -> None:
    from txmon.cli.main import main

    blocks = tmp_path / "blocks"
    blocks.mkdir()
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), "replay",
                                       "ethereum", "--rpc", "http://127.0.0.1:9",
                                       "--blocks-dir", str(blocks), "--from", "1", "--to", "1"])
    assert result.exit_code == 2
    assert "--blocks-dir: not an option of ethereum" in result.output
    missing = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), "replay",
                                        "ethereum", "--from", "1", "--to", "1"])
    assert missing.exit_code == 2
    assert "ethereum needs --rpc URL" in missing.output


def test_follower_knobs_are_flags_with_the_followers_defaults() -> None:
    from ingest.follower import BATCH_BLOCKS, KEEP, WORKERS
    from txmon.cli.ingest import ingest
    from txmon.cli.replay import replay

    def defaults(command) -> dict[str, object]:
        return {p.name: p.default for p in command.params
                if p.name in {"workers", "batch_blocks", "keep"}}

    assert defaults(ingest.commands["bitcoin"]) == {
        "workers": WORKERS, "batch_blocks": BATCH_BLOCKS, "keep": KEEP}
    assert defaults(replay.commands["ethereum"]) == {
        "workers": WORKERS, "batch_blocks": BATCH_BLOCKS}  # replay keeps no blocks
    result = CliRunner().invoke(replay, ["ethereum", "--workers", "0", "--from", "1",
                                         "--to", "1"])
    assert result.exit_code == 2 and "--workers" in result.output
