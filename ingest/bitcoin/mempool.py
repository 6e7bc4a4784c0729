"""Unconfirmed transactions as ``pending`` transfers: deposits are screened before they confirm.

Separate from the follower on purpose: the mempool has no order, no checkpoint and no
reorgs, only arrivals. Each poll asks the node for its mempool, decodes the transactions
not seen before exactly like block transactions (inputs through the UTXO cache, then the
node, which also knows unconfirmed parents), and publishes them with status ``pending``
and no block. The confirmed transfer the follower publishes later has the same id, so
downstream sees pending → confirmed; alert ids derive from the transfer id, so an alert
raised on the pending transfer is not raised again. A transaction that leaves the
mempool without confirming (replaced, expired) is not retracted: pending means "seen",
not "will happen".
"""

from __future__ import annotations

from ingest.bitcoin.blocks import CHAIN, make_transfer
from ingest.bitcoin.node import BitcoinNode
from ingest.bitcoin.parse import parse_transaction
from ingest.bitcoin.utxo import Outpoint, UtxoCache, prevouts_of
from txmon.bus.base import TRANSFERS, Producer
from txmon.errors import RpcError
from txmon.models import Transfer, TransferStatus
from txmon.wire import encode_transfer


class MempoolWatcher:
    """Publishes each new mempool transaction once, as a pending transfer."""

    def __init__(self, node: BitcoinNode, utxo: UtxoCache, producer: Producer,
                 topic: str = TRANSFERS) -> None:
        self.node = node
        self.utxo = utxo
        self._producer = producer
        self._topic = topic
        self._seen: set[str] = set()

    def poll(self) -> list[Transfer]:
        """One round: publish the new transactions (flushed) and return them."""
        current = self.node.mempool_txids()
        new = [txid for txid in current if txid not in self._seen]
        raws = self.node.raw_transactions(new)  # a tx may have left the mempool meanwhile
        transfers = [self._transfer(txid, raw) for txid, raw in raws.items()]
        for transfer in transfers:
            self._producer.send(self._topic, encode_transfer(transfer), key=CHAIN.encode())
        self._producer.flush()
        self._seen = set(current) | set(raws)  # forget what left: bounded by the mempool
        return transfers

    def _transfer(self, txid: str, raw: bytes) -> Transfer:
        tx = parse_transaction(raw)
        if tx.txid != txid:
            raise RpcError(f"getrawtransaction {txid} returned another transaction")
        spends: list[Outpoint] = [(i.prevout.hash[::-1].hex(), i.prevout.n) for i in tx.vin]
        return make_transfer(
            self.utxo.net,
            txid,
            prevouts_of(tx.vout, self.utxo.net),
            self.utxo.resolve(spends),
            ref=None,
            status=TransferStatus.PENDING,
        )
