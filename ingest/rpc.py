"""A JSON-RPC 2.0 client over HTTP built for batch throughput; shared by every chain source.

Why not web3.py's provider: ingest moves whole blocks, receipts and traces, thousands of
objects per second. web3.py's request path runs every response through its middleware and
formatters (AttributeDict, HexBytes, checksum addresses), which costs more than the node
takes to answer; its batch support also gives no per-item error or adaptive batch size. This
client sends raw batches, parses with orjson and hands back plain dicts; web3.py's own
utilities are still used where they fit (ABI decoding, keccak, contract addresses).

What it guarantees (the habits of web3.py and ethereum-etl, plus what they lack):

* batch responses are matched to requests by ``id``, never by position;
* only methods on an allow-list of read-only calls are retried, with exponential backoff —
  a ``send`` is never repeated behind the caller's back;
* when the node refuses a batch (HTTP 413, "batch too large", "response too large"), the
  batch is split and the smaller size is kept for later calls;
* every failure surfaces as :class:`NodeError` (a :class:`txmon.errors.RpcError`) naming the
  method and the reason.

Bitcoin Core and btcd speak the same envelope, so the Bitcoin source reuses this class with
``auth=(user, password)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ingest.transport import HttpTransport, Transport, TransportFailure
from txmon.errors import RpcError

log = logging.getLogger(__name__)

# Read-only calls: repeating them cannot change chain state, so a retry is always safe.
IDEMPOTENT_METHODS: frozenset[str] = frozenset(
    {
        # Ethereum
        "eth_chainId", "eth_blockNumber", "eth_getBlockByNumber", "eth_getBlockByHash",
        "eth_getBlockReceipts", "eth_getTransactionReceipt", "eth_getTransactionByHash",
        "eth_getLogs", "eth_call", "eth_getBalance", "eth_getCode", "net_version",
        "web3_clientVersion", "debug_traceBlockByNumber", "debug_traceBlockByHash",
        "debug_traceTransaction", "trace_block", "trace_transaction",
        # Bitcoin Core / btcd
        "getblockcount", "getbestblockhash", "getblockhash", "getblock", "getblockheader",
        "getrawtransaction", "getblockchaininfo", "getnetworkinfo",
    }
)  # fmt: skip

# Error codes with which nodes say "not now" (rate limit, overload): retry after a pause.
_TRANSIENT_CODES = frozenset({-32005, 429})
_RETRY_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})

Calls = Sequence[tuple[str, Sequence[Any]]]  # (method, params) pairs


class NodeError(RpcError):
    """A JSON-RPC call failed; ``method``, ``code`` and ``reason`` say which and why."""

    def __init__(self, method: str, reason: str, code: int | None = None) -> None:
        super().__init__(f"{method}: {reason}" + (f" (code {code})" if code is not None else ""))
        self.method = method
        self.reason = reason
        self.code = code


class _Refused(Exception):
    """Internal: the node refused the batch as a whole because of its size."""


def _is_size_refusal(error: dict[str, Any]) -> bool:
    """Geth, Erigon, Nethermind and hosted nodes word batch limits differently."""
    message = str(error.get("message", "")).lower()
    return error.get("code") == -32003 or any(
        word in message for word in ("too large", "batch limit", "batch size", "too many")
    )


class RpcClient:
    """Thread-safe JSON-RPC client; one instance per node, shared by worker threads."""

    def __init__(
        self,
        url: str,
        *,
        max_batch: int = 200,
        retries: int = 5,
        backoff: float = 0.25,
        timeout: float = 120.0,
        auth: tuple[str, str] | None = None,
        idempotent: frozenset[str] = IDEMPOTENT_METHODS,
        transport: Transport | None = None,
    ) -> None:
        self.url = url
        self._transport = transport or HttpTransport(url, timeout=timeout, auth=auth)
        self._batch_size = max_batch
        self._retries = retries
        self._backoff = backoff
        self._idempotent = idempotent
        self._lock = threading.Lock()

    @property
    def batch_size(self) -> int:
        """Current batch size: starts at ``max_batch`` and only shrinks."""
        return self._batch_size

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call; raises :class:`NodeError` if the node answers with an error."""
        return self.batch([(method, params)])[0]

    def batch(self, calls: Calls) -> list[Any]:
        """Results of ``calls`` in their order; raises the first item error."""
        results = self.batch_results(calls)
        for result in results:
            if isinstance(result, NodeError):
                raise result
        return results

    def batch_results(self, calls: Calls) -> list[Any]:
        """Results of ``calls`` in order; an item that failed is a :class:`NodeError` value.

        Used where one failing item is expected and handled (capability detection,
        a trace the node cannot produce) without losing the rest of the batch.
        """
        results: list[Any] = [None] * len(calls)
        self._run_chunked(calls, list(range(len(calls))), results)
        return results

    def close(self) -> None:
        self._transport.close()

    # -- internals -------------------------------------------------------------------

    def _run_chunked(self, calls: Calls, idx: list[int], out: list[Any]) -> None:
        """Send ``idx`` in batches of the current size (re-read: a refusal may shrink it)."""
        pos = 0
        while pos < len(idx):
            size = self._batch_size
            self._run(calls, idx[pos : pos + size], out)
            pos += size

    def _run(self, calls: Calls, idx: list[int], out: list[Any]) -> None:
        try:
            oversized = self._send_with_retry(calls, idx, out)
        except _Refused:
            if len(idx) == 1:
                raise NodeError(calls[idx[0]][0], "node refused the request as too large") from None
            self._shrink(len(idx) // 2)
            self._run_chunked(calls, idx, out)
            return
        if oversized:  # the node dropped or refused some items: ask again one by one
            if len(idx) == 1:
                raise NodeError(calls[idx[0]][0], "node refused the request as too large")
            self._shrink(max(1, len(idx) // 2))
            for i in oversized:
                self._run(calls, [i], out)

    def _shrink(self, size: int) -> None:
        with self._lock:
            if size < self._batch_size:
                log.warning("node refused a batch; batch size %d -> %d", self._batch_size, size)
                self._batch_size = max(1, size)

    def _send_with_retry(self, calls: Calls, idx: list[int], out: list[Any]) -> list[int]:
        """Send one batch, retrying transient failures; returns ids to re-request alone."""
        methods = {calls[i][0] for i in idx}
        retryable = methods <= self._idempotent
        what = ",".join(sorted(methods))
        oversized: list[int] = []
        for attempt in range(self._retries + 1):
            last_try = not retryable or attempt == self._retries
            try:
                status, payload = self._transport.post(_envelope(calls, idx))
            except TransportFailure as exc:
                if last_try:
                    raise NodeError(what, f"node unreachable: {exc}") from exc
                self._pause(attempt)
                continue
            if status == 413:
                raise _Refused()
            if status in _RETRY_HTTP and not last_try:
                self._pause(attempt)
                continue
            outcome = _parse(calls, idx, status, payload, out, self._idempotent)
            oversized += outcome.oversized
            if not outcome.transient:
                return oversized
            if last_try:
                for i in outcome.transient:
                    out[i] = NodeError(calls[i][0], "node kept answering 'rate limited'")
                return oversized
            idx = outcome.transient
            self._pause(attempt)
        return oversized

    def _pause(self, attempt: int) -> None:
        time.sleep(self._backoff * (2**attempt))


def _envelope(calls: Calls, idx: list[int]) -> bytes:
    """The request body; ``id`` is the call's position in ``calls`` (unique per request)."""
    return orjson.dumps(
        [{"jsonrpc": "2.0", "id": i, "method": calls[i][0], "params": list(calls[i][1])}
         for i in idx]
    )  # fmt: skip


@dataclass(slots=True)
class _Outcome:
    transient: list[int] = field(default_factory=list)  # retry after a pause
    oversized: list[int] = field(default_factory=list)  # re-request in smaller batches


def _parse(
    calls: Calls,
    idx: list[int],
    status: int,
    payload: bytes,
    out: list[Any],
    idempotent: frozenset[str],
) -> _Outcome:
    """Fill ``out`` from one response, matching items to requests by ``id``."""
    what = ",".join(sorted({calls[i][0] for i in idx}))
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise NodeError(what, f"HTTP {status}, not JSON: {payload[:200]!r}") from exc
    if isinstance(data, dict):  # the whole batch was answered by one error object
        error = data.get("error") or {"message": f"HTTP {status}: {payload[:200]!r}"}
        if len(idx) > 1 and _is_size_refusal(error):
            raise _Refused()
        if len(idx) == 1 and data.get("id") == idx[0]:
            data = [data]
        else:
            raise NodeError(what, str(error.get("message")), error.get("code"))
    by_id = {item.get("id"): item for item in data if isinstance(item, dict)}
    outcome = _Outcome()
    for i in idx:
        item = by_id.get(i)
        error = None if item is None else item.get("error")
        if item is None:
            outcome.oversized.append(i)
        elif error is None:
            out[i] = item.get("result")
        elif len(idx) > 1 and _is_size_refusal(error):
            outcome.oversized.append(i)
        elif error.get("code") in _TRANSIENT_CODES and calls[i][0] in idempotent:
            outcome.transient.append(i)
        else:
            out[i] = NodeError(calls[i][0], str(error.get("message")), error.get("code"))
    return outcome
