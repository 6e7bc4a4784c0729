"""What every transfer of one block shares: chain, network and the block's identity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from txmon.models import Asset, Leg, Transfer, TransferKind

ETH_DECIMALS = 18


@dataclass(frozen=True, slots=True)
class BlockContext:
    """Block coordinates stamped on each transfer extracted from the block."""

    chain: str
    network: str
    number: int
    hash: str
    time: dt.datetime
    native: Asset = field(init=False)  # built once per block, shared by its ETH transfers

    def __post_init__(self) -> None:
        object.__setattr__(self, "native", Asset(self.chain, "ETH", ETH_DECIMALS))

    def transfer(
        self,
        *,
        asset: Asset,
        tx_hash: str,
        index: int,
        sender: str,
        recipient: str,
        amount: int,
        kind: TransferKind,
        success: bool = True,
        fee: int | None = None,
        extra: dict[str, str] | None = None,
    ) -> Transfer:
        """One transfer with one input and one output leg (every EVM movement is 1→1)."""
        return Transfer(
            chain=self.chain,
            network=self.network,
            asset=asset,
            tx_hash=tx_hash,
            index=index,
            block_number=self.number,
            block_hash=self.hash,
            block_time=self.time,
            inputs=(Leg(sender, amount),),
            outputs=(Leg(recipient, amount),),
            kind=kind,
            success=success,
            fee=fee,
            extra=extra or {},
        )
