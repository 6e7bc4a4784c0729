"""A tiny real JSON-RPC node on loopback that serves recorded mainnet blocks over HTTP.

Not a mock of our client: it is an HTTP server speaking bitcoind's JSON-RPC envelope
(batches, ``result``/``error`` objects, HTTP 200 for a batch), so the test exercises the
real transport, batching and error paths of ``ingest.rpc.RpcClient`` and
``ingest.bitcoin.node``. Its answers are recorded data only:

* ``getblockcount``, ``getblockhash``, ``getblockheader <hash> false``, ``getblock <hash> 0``
  from the raw blocks (``tests/data/bitcoin/raw``, bitcoin-etl's verbose JSON rebuilt);
* ``getblock <hash> 1|2`` with bitcoind's recorded verbose JSON where there is one;
* ``getblock <hash> 3`` as the test chooses: ``"refuse"`` (an RPC error, as from a node
  that does not know verbosity 3), ``"as-2"`` (bitcoind ≤ 22: verbosity 3 read as 2, no
  ``prevout``), or ``"prevouts"`` (a verbosity-3 answer assembled from recorded data:
  each prevout's ``value`` and ``scriptPubKey`` from the recorded ``getrawtransaction``);
* ``getrawmempool`` as the test sets it;
* ``getrawtransaction`` from recorded answers; anything else is refused with code -5
  ("No such mempool or blockchain transaction"), as by a node without ``-txindex``.

``calls`` records every method called, in order (``getblock/<verbosity>``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from ingest.bitcoin.parse import block_hash

NO_TXINDEX = ("No such mempool or blockchain transaction. Use gettransaction for wallet "
              "transactions.")  # bitcoind's message for -5 without -txindex


@dataclass
class RecordedChain:
    """What the node knows: raw blocks by height, optional verbose JSON, raw transactions."""

    blocks: dict[int, bytes]
    verbose: dict[int, dict[str, Any]] = field(default_factory=dict)  # verbosity 2
    with_prevouts: dict[int, dict[str, Any]] = field(default_factory=dict)  # verbosity 3
    transactions: dict[str, bytes] = field(default_factory=dict)
    mempool: list[str] = field(default_factory=list)  # txids getrawmempool lists
    verbosity3: str = "refuse"  # refuse | as-2 | prevouts
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_hash = {block_hash(raw): h for h, raw in self.blocks.items()}

    def answer(self, method: str, params: list[Any]) -> Any:
        """The result of one call, or raise :class:`_Error` for an RPC error object."""
        getblock = method == "getblock"
        self.calls.append(f"getblock/{params[1] if len(params) > 1 else 1}" if getblock else method)
        if method == "getblockcount":
            return max(self.blocks)
        if method == "getblockhash":
            if params[0] not in self.blocks:
                raise _Error(-8, "Block height out of range")
            return block_hash(self.blocks[params[0]])
        if method in ("getblock", "getblockheader"):
            height = self._by_hash.get(params[0])
            if height is None:
                raise _Error(-5, "Block not found")
            raw = self.blocks[height]
            if method == "getblockheader":
                return raw[:80].hex()
            return self._block(height, raw, int(params[1]) if len(params) > 1 else 1)
        if method == "getrawmempool":
            return list(self.mempool)
        if method == "getrawtransaction":
            if params[0] not in self.transactions:
                raise _Error(-5, NO_TXINDEX)
            return self.transactions[params[0]].hex()
        raise _Error(-32601, "Method not found")

    def _block(self, height: int, raw: bytes, verbosity: int) -> Any:
        if verbosity == 0:
            return raw.hex()
        if verbosity == 3 and self.verbosity3 == "refuse":
            raise _Error(-8, "Verbosity was out of range")
        if verbosity == 3 and self.verbosity3 == "prevouts":
            return self.with_prevouts[height]
        if height not in self.verbose:
            raise _Error(-1, "no recorded verbose JSON for this block")
        return self.verbose[height]


class _Error(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _handler(chain: RecordedChain) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = orjson.loads(self.rfile.read(int(self.headers["Content-Length"])))
            items = request if isinstance(request, list) else [request]
            replies = []
            for item in items:
                try:
                    result = chain.answer(item["method"], list(item.get("params") or []))
                    replies.append({"result": result, "error": None, "id": item["id"]})
                except _Error as exc:
                    error = {"code": exc.code, "message": exc.message}
                    replies.append({"result": None, "error": error, "id": item["id"]})
            body = orjson.dumps(replies if isinstance(request, list) else replies[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: pytest shows failures, not access logs

    return Handler


@contextmanager
def serve(chain: RecordedChain) -> Iterator[str]:
    """Run the node on a free loopback port; yields its URL (with throwaway credentials)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(chain))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://test:test@127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
