"""UTXO cache: resolves each input's prevout to (address, amount) without asking the node.

Entries live in the shared :class:`~txmon.store.base.Store` (SQLite embedded, Redis when
scaled out), written as blocks are processed. A miss (an output created before the cache
started, or one already removed) goes to the node's ``getrawtransaction``.

Why entries can never be *wrong*, only missing: an entry is keyed by ``txid:n`` and a
txid commits to the transaction's outputs, so whatever block (or fork) wrote it, the
content is right. Reorgs and crashes can therefore only cause misses, and misses are
answered by the node. To avoid even those in the common cases, spent entries are not
deleted when spent but ``spent_lag`` blocks later, from a per-height journal: a block
re-processed after a crash (the checkpoint lags delivery) or re-fetched after a reorg
shallower than the lag still finds its prevouts — which matters for replay from block
files, where there is no node to fall back to.

A prevout that neither the cache nor the node knows (a node without ``-txindex``, block
files replayed from mid-chain) is not an error: :meth:`UtxoCache.resolve` returns an
:class:`UnknownPrevout` with the reason in its place, and the decoder marks that input
unresolved and dead-letters the transaction, so a replay goes on from where the case
starts. Only a node that answers with the wrong transaction or output stops the source.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bitcoin.core import CTxOut

from ingest.bitcoin.parse import parse_transaction
from ingest.bitcoin.scripts import ScriptInfo, describe
from txmon.addresses.networks import Network
from txmon.errors import TxmonError
from txmon.models import Leg
from txmon.store.base import Store

log = logging.getLogger(__name__)

Outpoint = tuple[str, int]  # (txid big-endian hex, output index)
SpentOutput = tuple[int, bytes]  # (amount in satoshi, output script), as a node reports it
DEFAULT_SPENT_LAG = 100


class UnresolvedPrevoutError(TxmonError):
    """The node answered a prevout lookup with the wrong transaction or output: it is broken."""


@dataclass(frozen=True, slots=True)
class UnknownPrevout:
    """A prevout nobody could resolve, and why (the reason goes into the dead letter)."""

    outpoint: Outpoint
    reason: str


NO_TXINDEX = "unknown to the node (no -txindex?)"
NO_NODE = "not in the UTXO cache and no node to ask (block files replayed from mid-chain?)"


# What an output pays, as the legs an input spending it carries: the first leg has the
# address, amount and script type; a bare multisig adds one zero-amount leg per key.
Prevout = tuple[Leg, ...]
MULTISIG_KEY = "multisig_key"


def output_legs(info: ScriptInfo, amount: int) -> Prevout:
    """The legs of an output of ``amount`` paying the script described by ``info``."""
    first = Leg(info.address, amount, info.script_type)
    if not info.keys:
        return (first,)
    return (first, *(Leg(key, 0, MULTISIG_KEY) for key in info.keys))


class RawTxFetcher(Protocol):
    """Where misses go: raw transaction bytes by txid (``getrawtransaction <txid> 0``)."""

    def raw_transactions(self, txids: Sequence[str]) -> dict[str, bytes]: ...


def encode_prevout(prevout: Prevout) -> bytes:
    """Compact entry ``amount type address [key…]``, space-separated (no field has a space)."""
    first = prevout[0]
    head = f"{first.amount} {first.script_type or ''} {first.address}"
    if len(prevout) == 1:  # the common case, without building a list
        return head.encode()
    return " ".join([head, *(leg.address for leg in prevout[1:])]).encode()


def decode_prevout(data: bytes) -> Prevout:
    amount, script_type, address, *keys = data.decode().split(" ")
    first = Leg(address, int(amount), script_type)
    if not keys:
        return (first,)
    return (first, *(Leg(key, 0, MULTISIG_KEY) for key in keys))


def prevouts_of(vout: Sequence[CTxOut], net: Network) -> list[Prevout]:
    """Outputs as prevouts, addresses derived on ``net``."""
    return [output_legs(describe(bytes(out.scriptPubKey), net), out.nValue) for out in vout]


def _outpoint_of(item: tuple[Outpoint, Prevout]) -> Outpoint:
    return item[0]


class UtxoCache:
    """Prevout lookups and per-block updates on a Store, with the node as fallback."""

    def __init__(
        self,
        store: Store,
        net: Network,
        fetcher: RawTxFetcher | None = None,
        spent_lag: int = DEFAULT_SPENT_LAG,
    ) -> None:
        self.store = store
        self.net = net
        self.fetcher = fetcher
        self.spent_lag = spent_lag
        self._prefix = f"bitcoin:{net.name}:utxo:"
        self._journal = f"bitcoin:{net.name}:spent:"
        self.misses = 0  # prevouts that had to come from the node (for metrics and tests)
        self.unknown = 0  # prevouts nobody could resolve (inputs marked unresolved)

    def resolve(self, outpoints: Sequence[Outpoint]) -> list[Prevout | UnknownPrevout]:
        """Prevouts in the order of ``outpoints``: one store round trip, then the node.

        A prevout neither knows comes back as :class:`UnknownPrevout` (counted in
        ``unknown``), never as an exception: see the module docstring.
        """
        prefix = self._prefix
        keys = [f"{prefix}{txid}:{n}" for txid, n in outpoints]
        wanted = sorted(set(keys))  # sorted: see commit()
        values = dict(zip(wanted, self.store.get_many(wanted), strict=True))
        found: list[Prevout | UnknownPrevout | None] = [
            None if (value := values[key]) is None else decode_prevout(value) for key in keys
        ]
        missing = [op for op, prevout in zip(outpoints, found, strict=True) if prevout is None]
        if missing:
            before = self.unknown
            fetched = self._fetch(missing)
            if before == 0 and self.unknown:  # say it once per run, not per input
                first = next(p for p in fetched.values() if isinstance(p, UnknownPrevout))
                log.warning("bitcoin: %s; such inputs are marked unresolved (outputs are "
                            "still screened) and their transactions dead-lettered", first.reason)
            found = [
                fetched[op] if p is None else p for op, p in zip(outpoints, found, strict=True)
            ]
        return found  # type: ignore[return-value]  # every None was replaced above

    def _fetch(self, outpoints: Sequence[Outpoint]) -> dict[Outpoint, Prevout | UnknownPrevout]:
        if self.fetcher is None:
            self.unknown += len(outpoints)
            return {op: UnknownPrevout(op, f"prevout {op[0]}:{op[1]} {NO_NODE}")
                    for op in outpoints}  # fmt: skip
        txids = sorted({txid for txid, _ in outpoints})
        raws = self.fetcher.raw_transactions(txids)
        outputs: dict[str, list[Prevout]] = {}
        for txid in txids:
            if txid not in raws:
                continue
            ptx = parse_transaction(raws[txid])
            if ptx.txid != txid:
                raise UnresolvedPrevoutError(f"node returned another transaction for {txid}")
            outputs[txid] = prevouts_of(ptx.vout, self.net)
        out: dict[Outpoint, Prevout | UnknownPrevout] = {}
        for txid, n in outpoints:
            if txid not in outputs:
                out[txid, n] = UnknownPrevout((txid, n), f"prevout {txid}:{n} {NO_TXINDEX}")
                self.unknown += 1
                continue
            if n >= len(outputs[txid]):
                raise UnresolvedPrevoutError(f"prevout {txid}:{n}: index out of range")
            out[txid, n] = outputs[txid][n]
            self.misses += 1
        return out

    def commit(
        self, height: int, created: Mapping[Outpoint, Prevout], spent: Sequence[Outpoint]
    ) -> None:
        """Record a processed block: add its outputs, journal its spends, drop old spends.

        One atomic ``put_many``. ``created`` should exclude outputs spent in the same block.
        Keys go to the store sorted: txids are random, and on the embedded store (a B-tree)
        sorted batches touch each page once — about 20 % less time on a 200k-entry cache,
        more on a large one; on Redis the order is irrelevant.
        """
        journal_key = f"{self._journal}{height:010d}"
        old_key = f"{self._journal}{height - self.spent_lag:010d}"
        old = self.store.get(old_key) if height >= self.spent_lag else None
        delete = sorted(self._prefix + op for op in old.decode().split()) if old else []
        if old:
            delete.append(old_key)
        prefix = self._prefix
        items = {
            f"{prefix}{txid}:{n}": encode_prevout(prevout)
            for (txid, n), prevout in sorted(created.items(), key=_outpoint_of)
        }
        items[journal_key] = " ".join(f"{txid}:{n}" for txid, n in spent).encode()
        self.store.put_many(items, delete=delete)
