"""Recorded real node responses served at the JSON-RPC level (no network, no HTTP mock).

``RecordedNode`` is a transport for :class:`ingest.rpc.RpcClient`: it answers each request
of a batch from responses recorded from real mainnet nodes, keyed by method and params,
and answers "method not found" (-32601) for methods it has no recording of — as a node
without that API would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from ingest.ethereum.capabilities import Capabilities, TraceApi
from ingest.ethereum.source import EthereumSource
from ingest.rpc import RpcClient

DATA = Path(__file__).resolve().parents[3] / "data" / "ethereum"


def etl_result(path: str) -> Any:
    """``result`` of an ethereum-etl fixture (a full JSON-RPC envelope)."""
    return orjson.loads((DATA / "ethereum-etl" / path).read_bytes())["result"]


def erigon_result(path: str) -> Any:
    """``result`` of an erigon rpc-tests fixture (``[{"request", "response"}]``)."""
    return orjson.loads((DATA / "erigon-rpc-tests" / path).read_bytes())[0]["response"]["result"]


def _key(method: str, params: Any) -> tuple[str, bytes]:
    def lower(value: Any) -> Any:
        if isinstance(value, str):
            return value.lower()
        if isinstance(value, list):
            return [lower(v) for v in value]
        return value

    return method, orjson.dumps(lower(params), option=orjson.OPT_SORT_KEYS)


class RecordedNode:
    """A JSON-RPC transport that replays recorded responses."""

    def __init__(self, chain_id: int = 1) -> None:
        self._answers: dict[tuple[str, bytes], list[Any]] = {}
        self.requests: list[list[dict[str, Any]]] = []  # every HTTP body, parsed
        self.add("eth_chainId", [], hex(chain_id))

    def add(self, method: str, params: list[Any], result: Any) -> RecordedNode:
        """Answer ``result``; adding twice answers in turn (the last answer then stays)."""
        self._answers.setdefault(_key(method, params), []).append({"result": result})
        return self

    def add_error(self, method: str, params: list[Any], code: int, message: str) -> RecordedNode:
        error = {"error": {"code": code, "message": message}}
        self._answers.setdefault(_key(method, params), []).append(error)
        return self

    def calls(self, method: str) -> int:
        """How many requests for ``method`` the node received."""
        return sum(1 for body in self.requests for item in body if item["method"] == method)

    def post(self, body: bytes) -> tuple[int, bytes]:
        batch = orjson.loads(body)
        self.requests.append(batch)
        return 200, orjson.dumps([self._answer(item) for item in reversed(batch)])

    def _answer(self, item: dict[str, Any]) -> dict[str, Any]:
        # answered in reverse order on purpose: the client must match by id
        queue = self._answers.get(_key(item["method"], item["params"]))
        answer = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else None
        if answer is None:
            known = any(m == item["method"] for m, _ in self._answers)
            error = {"code": -32000 if known else -32601, "message": "not recorded"}
            answer = {"error": error}
        return {"jsonrpc": "2.0", "id": item["id"], **answer}

    def close(self) -> None:
        pass


@pytest.fixture
def node() -> RecordedNode:
    return RecordedNode()


@pytest.fixture
def new_node() -> type[RecordedNode]:
    """For tests that need more than one node."""
    return RecordedNode


def _make_source(
    node: RecordedNode, *, receipts: bool, traces: TraceApi = TraceApi.NONE, fees: bool = False
) -> EthereumSource:
    """A source on ``node`` with the golden token list and fixed capabilities."""
    return EthereumSource(
        RpcClient("http://recorded", transport=node, backoff=0),
        token_dir=DATA / "tokens",
        fees=fees,
        capabilities=Capabilities(block_receipts=receipts, traces=traces),
    )


@pytest.fixture
def make_source() -> Any:
    return _make_source


@pytest.fixture
def eth_data() -> Path:
    return DATA


@pytest.fixture
def etl() -> Any:
    return etl_result


@pytest.fixture
def erigon() -> Any:
    return erigon_result
