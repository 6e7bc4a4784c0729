"""The schema of a transfer record on ``txmon.transfers``: what can exist, nothing else.

The engine is the boundary: anyone who can write to the topic can send it anything, and
one record the code did not expect must not stop monitoring. A record is validated here
(pydantic, strict: no coercion of ``"1"`` to 1 or of 1.0 to 1, no unknown fields) before it
becomes a :class:`~txmon.models.Transfer`; a violation is a
:class:`~txmon.errors.BadRecord` whose reason names the field, and the record is
dead-lettered.

What is refused, and why it cannot be a real transfer:

* amounts and fees that are not decimal strings of ASCII digits (``"1_000"``, full-width
  digits, floats, bools, JSON numbers, a leading zero) or exceed 2^256-1 (no chain txmon
  follows holds more);
* an ``index`` that is not a JSON integer in 0..2^32-1 (a float or a bool is not an index);
* a chain not in the registry (:mod:`txmon.chains`), a hash that is not that chain's
  format and length, a leg address that is not valid on the chain (checked by
  :mod:`txmon.addresses`, so ``0x`` without 40 hex digits, a Bitcoin address on Ethereum,
  a JSON number or null are refused), a back-office transfer whose addresses are not on
  its asset's chain (an ETH withdrawal to a Bitcoin address);
* a ``block_time`` that is not a real UTC instant (``2026-02-30T10:00:00Z``);
* oversized strings and lists (sizes below), and an ``id`` that disagrees with
  ``chain:tx_hash:index``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from txmon.chains import CHAINS, EXCHANGE, check_address
from txmon.errors import BadRecord, InvalidAddress

UINT256_MAX = 2**256 - 1
INDEX_MAX = 2**32 - 1
BLOCK_MAX = 2**63 - 1
MAX_LEGS = 100_000  # a 4 MB Bitcoin block holds ~25k inputs; no transaction has more
MAX_EXTRA = 64
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z", re.ASCII)
_BACK_OFFICE_ID = re.compile(r"(wd|int)-[A-Za-z0-9._:@/-]{1,128}")
_ACCOUNT_LEG = re.compile(r"account:[A-Za-z0-9._:@/-]{1,128}")


def _uint256(text: str) -> int:
    value = int(text)
    if value > UINT256_MAX:
        raise ValueError("exceeds 2^256-1")
    return value


def _utc_time(text: str) -> dt.datetime:
    if _TIME.fullmatch(text) is None:
        raise ValueError("not a UTC time YYYY-MM-DDTHH:MM:SSZ")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # ValueError if not real


Amount = Annotated[
    str,
    StringConstraints(pattern=r"^(0|[1-9][0-9]{0,77})$", max_length=78),
    AfterValidator(_uint256),
]
Short = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Name = Annotated[str, StringConstraints(max_length=300)]
Ident = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:@/-]{1,128}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AssetRecord(_Strict):
    chain: str
    symbol: Annotated[str, StringConstraints(max_length=64)]
    decimals: int = Field(ge=0, le=255)
    contract: Annotated[str, StringConstraints(max_length=128)] | None = None


class LegRecord(_Strict):
    address: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    amount: Amount
    script_type: Annotated[str, StringConstraints(max_length=32)] | None = None


class ExchangeRecord(_Strict):
    account: Ident
    direction: Literal["deposit", "withdrawal", "internal"]
    counterparty_vasp: Name | None = None
    originator: Name | None = None
    beneficiary: Name | None = None
    event_id: Ident | None = None


class TransferRecord(_Strict):
    """One transfer as it travels on the bus (see :func:`txmon.wire.transfer_to_wire`)."""

    v: Literal[1] = 1
    id: Annotated[str, StringConstraints(max_length=300)] | None = None
    chain: str
    network: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    asset: AssetRecord
    tx_hash: Short
    index: int = Field(ge=0, le=INDEX_MAX)
    block_number: int | None = Field(default=None, ge=0, le=BLOCK_MAX)
    block_hash: Short | None = None
    block_time: Annotated[str, AfterValidator(_utc_time)] | None = None
    inputs: list[LegRecord] = Field(max_length=MAX_LEGS)
    outputs: list[LegRecord] = Field(min_length=1, max_length=MAX_LEGS)
    kind: Literal["native", "token", "internal", "exchange"] = "native"
    status: Literal["pending", "confirmed", "retracted"] = "confirmed"
    success: bool = True
    fee: Amount | None = None
    exchange: ExchangeRecord | None = None
    extra: dict[Annotated[str, StringConstraints(max_length=64)],
                Annotated[str, StringConstraints(max_length=4096)]] = Field(
        default_factory=dict, max_length=MAX_EXTRA)

    @model_validator(mode="after")
    def _exists_on_its_chain(self) -> TransferRecord:
        """Cross-field checks: hashes, addresses and the asset belong to the chain."""
        if self.chain == EXCHANGE:
            self._check_back_office()
        else:
            self._check_on_chain()
        if self.asset.contract is not None:
            check_address(self.asset.chain, self.asset.contract)
        expected = f"{self.chain}:{self.tx_hash}:{self.index}"
        if self.id is not None and self.id != expected:
            raise ValueError(f"id {self.id[:100]!r} is not chain:tx_hash:index")
        return self

    def _check_on_chain(self) -> None:
        spec = CHAINS.get(self.chain)
        if spec is None:
            raise ValueError(f"unknown chain {self.chain[:40]!r} (known: {', '.join(CHAINS)}"
                             f", {EXCHANGE})")
        if self.asset.chain != self.chain:
            raise ValueError(f"asset of chain {self.asset.chain[:40]!r} on {self.chain}")
        if not spec.valid_hash(self.tx_hash):
            raise ValueError(f"tx_hash {self.tx_hash[:80]!r} is not a {self.chain} hash")
        if self.block_hash is not None and not spec.valid_hash(self.block_hash):
            raise ValueError(f"block_hash {self.block_hash[:80]!r} is not a {self.chain} hash")
        for side, legs in (("inputs", self.inputs), ("outputs", self.outputs)):
            for n, leg in enumerate(legs):
                _leg(side, n, self._canonical_on_chain, leg)

    def _canonical_on_chain(self, raw: str) -> str:
        """A chain leg must already be in the one normal form ingest writes: the bus carries
        canonical records, so history, exposure and alert ids key on one spelling (a
        look-alike such as ``０ｘ…`` is folded by the exchange mapper and the screening
        surfaces, never here)."""
        canonical = check_address(self.chain, raw, self.network)
        if canonical != raw:
            raise InvalidAddress(f"not a {self.chain} address in canonical form: {raw[:80]!r} "
                                 f"(canonical {canonical!r})")
        return canonical

    def _check_back_office(self) -> None:
        spec = CHAINS.get(self.asset.chain)
        if spec is None:
            raise ValueError(f"unknown asset chain {self.asset.chain[:40]!r} "
                             f"(known: {', '.join(CHAINS)})")
        if _BACK_OFFICE_ID.fullmatch(self.tx_hash) is None and not spec.valid_hash(
                self.tx_hash):
            raise ValueError(f"tx_hash {self.tx_hash[:80]!r} is neither a back-office id nor "
                             f"a {spec.name} hash")

        def address(raw: str) -> str:
            if _ACCOUNT_LEG.fullmatch(raw):
                return raw
            return check_address(spec.name, raw)

        for side, legs in (("inputs", self.inputs), ("outputs", self.outputs)):
            for n, leg in enumerate(legs):
                _leg(side, n, address, leg)


def _leg(side: str, n: int, check: object, leg: LegRecord) -> None:
    try:
        check(leg.address)  # type: ignore[operator]
    except InvalidAddress as exc:
        raise ValueError(f"{side}.{n}.address: {exc}") from exc


def validate_transfer(data: object) -> TransferRecord:
    """The validated record, or :class:`BadRecord` naming the first bad fields."""
    try:
        return TransferRecord.model_validate(data)
    except ValidationError as exc:
        raise BadRecord(f"invalid transfer: {describe(exc)}") from None


def describe(exc: ValidationError, limit: int = 3) -> str:
    """The errors as ``field: message`` without the offending values (they may be huge)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "(record)"
        parts.append(f"{where}: {error['msg'][:300]}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
