"""Domain records shared by every stage: transfers, tags and alerts.

These are plain frozen dataclasses, not wire formats: the JSON mapping lives in
:mod:`txmon.wire` so that the domain never depends on how it is serialised.
Amounts are Python ``int`` in base units (wei, satoshi, token units) — never floats —
because a compliance decision must not depend on rounding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class TransferStatus(StrEnum):
    """Where a transfer stands relative to the canonical chain."""

    PENDING = "pending"  # seen in a mempool or an unconfirmed exchange event
    CONFIRMED = "confirmed"
    RETRACTED = "retracted"  # its block left the canonical chain (reorg)


class TransferKind(StrEnum):
    """What moved the value: this decides how legs were extracted."""

    NATIVE = "native"  # top-level ETH value, or a Bitcoin transaction
    TOKEN = "token"  # noqa: S105 - ERC-20 Transfer log, not a secret
    INTERNAL = "internal"  # value or call inside a trace (contract to address)
    EXCHANGE = "exchange"  # an event from the exchange's own back office


class TagKind(StrEnum):
    """A sanction designation or an entity label: rules treat them differently."""

    SANCTION = "sanction"
    ENTITY = "entity"


@dataclass(frozen=True, slots=True)
class Asset:
    """What was moved: a chain's native coin or a token contract on it."""

    chain: str
    symbol: str
    decimals: int
    contract: str | None = None  # normalised token contract address; None for native

    @property
    def key(self) -> str:
        """Stable identifier, e.g. ``ethereum:ETH`` or ``ethereum:0xdac1…``."""
        return f"{self.chain}:{self.contract or self.symbol}"


@dataclass(frozen=True, slots=True)
class Leg:
    """One side of a value movement: an address and how much it sent or received.

    ``script_type`` is set by Bitcoin ingest (p2pkh, p2tr, nonstandard, …) so that an
    investigator can see how an address was derived (P2PK outputs are reported as their
    P2PKH address and flagged here).
    """

    address: str
    amount: int
    script_type: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeContext:
    """Back-office facts about a transfer that only the exchange knows."""

    account: str
    direction: str  # deposit | withdrawal | internal
    counterparty_vasp: str | None = None
    originator: str | None = None  # IVMS101 originator name (travel rule)
    beneficiary: str | None = None  # IVMS101 beneficiary name (travel rule)
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """One canonical value movement, the same shape for every source.

    ``id`` is ``chain:tx_hash:index`` and stays stable across replays, because alert ids
    are derived from it: replaying a block range must not create new alerts.
    """

    chain: str
    network: str
    asset: Asset
    tx_hash: str
    index: int
    block_number: int | None
    block_hash: str | None
    block_time: dt.datetime | None
    inputs: tuple[Leg, ...]
    outputs: tuple[Leg, ...]
    kind: TransferKind = TransferKind.NATIVE
    status: TransferStatus = TransferStatus.CONFIRMED
    success: bool = True  # a failed transaction is still an interaction
    fee: int | None = None
    exchange: ExchangeContext | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Deterministic identity, independent of block (a tx keeps it across a reorg)."""
        return f"{self.chain}:{self.tx_hash}:{self.index}"

    @property
    def amount(self) -> int:
        """Value moved: the sum of outputs (for Bitcoin this excludes the fee)."""
        return sum(leg.amount for leg in self.outputs)

    def addresses(self) -> list[str]:
        """Every address touched, inputs first, without repeats, in a stable order."""
        seen: dict[str, None] = {}
        for leg in (*self.inputs, *self.outputs):
            seen.setdefault(leg.address, None)
        return list(seen)


@dataclass(frozen=True, slots=True)
class Tag:
    """Who an address is, according to one source, and for which period.

    ``dates_from`` records where ``listed_at``/``delisted_at`` came from — the source
    itself (``source``), the first/last list version that contained the address
    (``version``), or the cited override file in ``seeds/`` (``override``) — because an
    answer resting on a version date is weaker evidence than a designation date.
    """

    address: str
    chain: str
    source: str
    kind: TagKind
    entity: str
    category: str
    programs: tuple[str, ...] = ()
    list_id: str | None = None
    listed_at: dt.date | None = None
    delisted_at: dt.date | None = None
    dates_from: str = "source"
    confidence: int | None = None
    asset: str | None = None  # the ticker the source filed it under (OFAC: XBT, ETH, …)

    def active_on(self, day: dt.date) -> bool:
        """Point-in-time test: listed on or before ``day`` and not yet delisted."""
        if self.listed_at is not None and day < self.listed_at:
            return False
        return self.delisted_at is None or day < self.delisted_at


@dataclass(frozen=True, slots=True)
class Alert:
    """An explainable finding. ``id`` = hash(rule id, transfer id): raising twice is a no-op.

    Everything here is deterministic for a given input, rulebook and as-of date, so the
    same alert raised live and in a replay is byte-identical; the wall-clock time it was
    stored is kept by the alert store, not here.
    """

    id: str
    rule: str
    rulebook_version: str
    severity: str
    transfer_id: str
    chain: str
    tx_hash: str
    block: int | None
    asset: str
    amount: int
    addresses: tuple[str, ...]
    evidence: dict[str, object]
    as_of: dt.date
    retroactive: bool = False
    list_version: str | None = None
