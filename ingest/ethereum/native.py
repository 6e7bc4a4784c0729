"""Top-level transactions → ``native`` transfers (index 0), including failed and 0-value ones.

An attempt to pay or call a sanctioned address is an interaction even when it reverted or
carried no ETH, so every transaction yields exactly one transfer; ``success`` records the
receipt status and ``fee`` what the sender paid for gas.
"""

from __future__ import annotations

from typing import Any

from ingest.ethereum.addresses import normalise_address
from ingest.ethereum.context import BlockContext
from ingest.ethereum.fields import optional_quantity, quantity, text
from ingest.ethereum.ids import NATIVE_INDEX
from txmon.models import Transfer, TransferKind


def native_transfer(
    ctx: BlockContext, tx: dict[str, Any], receipt: dict[str, Any], traced_ok: bool | None
) -> Transfer:
    """The transfer of ``tx``; ``traced_ok`` is the trace's verdict (None: no trace)."""
    sender = normalise_address(tx.get("from"))
    recipient, created = _recipient(tx, receipt, sender)
    extra = {"tx_index": str(quantity(tx, "transactionIndex"))}
    if created:
        extra["contract_creation"] = "true"
    status = optional_quantity(receipt, "status")
    if status is None:  # before Byzantium (2017) receipts had no status field
        success = traced_ok is not False
        extra["status_from"] = "unknown" if traced_ok is None else "trace"
    else:
        success = status == 1
    return ctx.transfer(
        asset=ctx.native,
        tx_hash=text(tx, "hash"),
        index=NATIVE_INDEX,
        sender=sender,
        recipient=recipient,
        amount=quantity(tx, "value"),
        kind=TransferKind.NATIVE,
        success=success,
        fee=_fee(tx, receipt),
        extra=extra,
    )


def _recipient(tx: dict[str, Any], receipt: dict[str, Any], sender: str) -> tuple[str, bool]:
    """``to``, or for a contract creation the created contract's address."""
    if tx.get("to") is not None:
        return normalise_address(tx["to"]), False
    created = receipt.get("contractAddress") or tx.get("creates")
    if created is None:  # derivable: keccak(rlp(sender, nonce)), via web3's helper
        # imported here: importing web3 costs ~1 s of start-up, and receipts almost
        # always carry contractAddress (eth_utils/eth_abi, web3's own parts, are enough)
        from eth_typing import HexAddress, HexStr
        from web3.types import Nonce
        from web3.utils.address import get_create_address

        created = get_create_address(HexAddress(HexStr(sender)), Nonce(quantity(tx, "nonce")))
    return normalise_address(created), True


def _fee(tx: dict[str, Any], receipt: dict[str, Any]) -> int | None:
    """Gas used × effective price, plus blob gas (EIP-4844); ``None`` if the node omits gas."""
    gas_used = optional_quantity(receipt, "gasUsed")
    price = optional_quantity(receipt, "effectiveGasPrice") or optional_quantity(tx, "gasPrice")
    if gas_used is None or price is None:
        return None
    blob_used = optional_quantity(receipt, "blobGasUsed") or 0
    blob_price = optional_quantity(receipt, "blobGasPrice") or 0
    return gas_used * price + blob_used * blob_price
