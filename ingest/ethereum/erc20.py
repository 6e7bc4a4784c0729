"""ERC-20 ``Transfer`` logs → ``token`` transfers.

Only logs with topic0 = keccak("Transfer(address,address,uint256)") and exactly three
topics are ERC-20 transfers: ERC-721 uses the same event signature with the token id as a
fourth (indexed) topic, and is not a fungible amount.
"""

from __future__ import annotations

from typing import Any

from eth_utils import keccak

from ingest.ethereum.addresses import address_from_topic, normalise_address
from ingest.ethereum.context import BlockContext
from ingest.ethereum.fields import quantity, text
from ingest.ethereum.ids import token_index
from txmon.errors import BadRecord
from txmon.models import Asset, Transfer, TransferKind

TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def is_erc20_transfer(log: dict[str, Any]) -> bool:
    """True for an ERC-20 ``Transfer`` event (three topics, the Transfer signature)."""
    topics = log.get("topics")
    return (
        isinstance(topics, list) and len(topics) == 3 and str(topics[0]).lower() == TRANSFER_TOPIC
    )


def token_contract(log: dict[str, Any]) -> str:
    """The emitting contract, i.e. the token."""
    return normalise_address(log.get("address"))


def token_transfer(
    ctx: BlockContext, log: dict[str, Any], position: int, asset: Asset, tx_hash: str
) -> Transfer:
    """The transfer recorded by ``log``, the ``position``-th log of transaction ``tx_hash``.

    The amount is the one non-indexed ``uint256`` word. It is read with ``int(hex, 16)``
    rather than ``eth_abi.decode``: for a single static word the two are the same, and this
    runs for every token transfer of a replay.
    """
    data = text(log, "data")
    if len(data) != 66 or not data.startswith("0x"):
        raise BadRecord(f"ERC-20 Transfer data is not one 32-byte word: {data[:80]!r}")
    topics = log["topics"]
    return ctx.transfer(
        asset=asset,
        tx_hash=tx_hash,
        index=token_index(position),
        sender=address_from_topic(topics[1]),
        recipient=address_from_topic(topics[2]),
        amount=int(data, 16),
        kind=TransferKind.TOKEN,
        extra={"log_index": str(quantity(log, "logIndex"))},
    )
