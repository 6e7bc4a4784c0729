"""The JSON-RPC batch client: id matching, retries, batch shrinking, errors with reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from ingest.rpc import NodeError, RpcClient
from ingest.transport import TransportFailure
from txmon.errors import RpcError

Handler = Callable[[list[dict[str, Any]]], tuple[int, Any]]


class ScriptedNode:
    """Answers each POST with the next handler; records every batch it was sent."""

    def __init__(self, *handlers: Handler) -> None:
        self.handlers = list(handlers)
        self.batches: list[list[dict[str, Any]]] = []

    def post(self, body: bytes) -> tuple[int, bytes]:
        batch = orjson.loads(body)
        self.batches.append(batch)
        handler = self.handlers.pop(0) if len(self.handlers) > 1 else self.handlers[0]
        status, payload = handler(batch)
        return status, payload if isinstance(payload, bytes) else orjson.dumps(payload)

    def close(self) -> None:
        pass


def echo(batch: list[dict[str, Any]]) -> tuple[int, Any]:
    """Result = the first param; answered in reverse order (clients must match by id)."""
    return 200, [
        {"jsonrpc": "2.0", "id": c["id"], "result": c["params"][0]} for c in reversed(batch)
    ]


def fail(exc: Exception) -> Handler:
    def handler(batch: list[dict[str, Any]]) -> tuple[int, Any]:
        raise exc

    return handler


def client(node: ScriptedNode, **kw: Any) -> RpcClient:
    return RpcClient("http://test", transport=node, backoff=0, **kw)


def test_results_matched_by_id_not_position():
    node = ScriptedNode(echo)
    calls = [("eth_getBlockByNumber", [hex(n), True]) for n in range(5)]
    assert client(node).batch(calls) == ["0x0", "0x1", "0x2", "0x3", "0x4"]
    assert len(node.batches) == 1


def test_large_call_lists_are_split_into_batches_of_max_batch():
    node = ScriptedNode(echo)
    calls = [("eth_getBlockByNumber", [hex(n), True]) for n in range(25)]
    assert client(node, max_batch=10).batch(calls) == [hex(n) for n in range(25)]
    assert [len(b) for b in node.batches] == [10, 10, 5]


def test_idempotent_calls_are_retried_after_transport_failure_and_503():
    node = ScriptedNode(fail(TransportFailure("reset")), lambda b: (503, b"busy"), echo)
    assert client(node).call("eth_blockNumber", ["0x10"]) == "0x10"
    assert len(node.batches) == 3


def test_non_idempotent_calls_are_never_retried():
    node = ScriptedNode(fail(TransportFailure("reset")), echo)
    with pytest.raises(NodeError) as info:
        client(node).call("eth_sendRawTransaction", ["0xf86c"])
    assert info.value.method == "eth_sendRawTransaction"
    assert "unreachable" in info.value.reason
    assert len(node.batches) == 1


def test_retries_give_up_with_an_rpc_error_naming_the_method():
    node = ScriptedNode(fail(TransportFailure("refused")))
    with pytest.raises(RpcError, match="eth_getBlockReceipts: node unreachable"):
        client(node, retries=2).call("eth_getBlockReceipts", ["0x1"])
    assert len(node.batches) == 3


def test_batch_refused_as_too_large_is_split_and_size_remembered():
    def limited(batch: list[dict[str, Any]]) -> tuple[int, Any]:
        if len(batch) > 4:
            return 200, {
                "jsonrpc": "2.0",
                "id": None,
                "error": {"code": -32600, "message": "batch too large"},
            }
        return echo(batch)

    node = ScriptedNode(limited)
    rpc = client(node, max_batch=16)
    calls = [("eth_getBlockByNumber", [hex(n), True]) for n in range(16)]
    assert rpc.batch(calls) == [hex(n) for n in range(16)]
    assert rpc.batch_size == 4
    assert all(len(b) <= 4 for b in node.batches[-4:])


def test_http_413_shrinks_the_batch():
    node = ScriptedNode(lambda b: (413, b"too big") if len(b) > 2 else echo(b))
    rpc = client(node, max_batch=8)
    assert rpc.batch([("eth_call", [str(n)]) for n in range(8)]) == [str(n) for n in range(8)]
    assert rpc.batch_size == 2


def test_items_answered_response_too_large_are_asked_again_alone():
    def big(batch: list[dict[str, Any]]) -> tuple[int, Any]:
        if len(batch) == 1:
            return echo(batch)
        out = [{"jsonrpc": "2.0", "id": c["id"], "result": c["params"][0]} for c in batch[:1]]
        out += [
            {
                "jsonrpc": "2.0",
                "id": c["id"],
                "error": {"code": -32003, "message": "response too large"},
            }
            for c in batch[1:]
        ]
        return 200, out

    node = ScriptedNode(big)
    assert client(node).batch([("debug_traceBlockByNumber", [str(n)]) for n in range(3)]) == [
        "0",
        "1",
        "2",
    ]


def test_item_errors_are_values_in_batch_results_and_raised_by_batch():
    def mixed(batch: list[dict[str, Any]]) -> tuple[int, Any]:
        return 200, [
            {"jsonrpc": "2.0", "id": batch[0]["id"], "result": "0x1"},
            {
                "jsonrpc": "2.0",
                "id": batch[1]["id"],
                "error": {"code": -32601, "message": "the method trace_block does not exist"},
            },
        ]

    rpc = client(ScriptedNode(mixed))
    ok, missing = rpc.batch_results([("eth_chainId", []), ("trace_block", ["0x1"])])
    assert ok == "0x1"
    assert (
        isinstance(missing, NodeError)
        and missing.code == -32601
        and missing.method == "trace_block"
    )
    with pytest.raises(NodeError, match="trace_block"):
        rpc.batch([("eth_chainId", []), ("trace_block", ["0x1"])])


def test_rate_limited_items_are_retried():
    answers = iter([{"code": -32005, "message": "limit exceeded"}, None])

    def limited(batch: list[dict[str, Any]]) -> tuple[int, Any]:
        error = next(answers)
        if error:
            return 200, [{"jsonrpc": "2.0", "id": batch[0]["id"], "error": error}]
        return echo(batch)

    assert client(ScriptedNode(limited)).call("eth_getLogs", ["ok"]) == "ok"
