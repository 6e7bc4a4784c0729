"""The customer registry: exchange accounts on the Store, KYC records and deposit addresses.

In the kernel, not in ingest: the exchange ingest writes it (from the back-office feed),
the engine reads it to name the account in an alert, screening reads it to screen
customers and withdrawals — a stage that reads another stage's storage would tie the two
in an import cycle (tests/unit/test_import_layers.py).

Keys (all under ``exchange:``):

* ``exchange:account:<id>``  — the customer record (names, DOB, nationality, residence)
  as the latest account.opened / kyc.updated event gave it;
* ``exchange:login:<id>``    — country of the last login's IP;
* ``exchange:address:<addr>`` — account that owns deposit address ``addr`` (normalised by
  :func:`txmon.addresses.normalize`, the one place that decides what an address is).

The engine calls :func:`account_for` to name the customer account in an on-chain alert.
Writes are whole-value puts keyed by id, so replaying an event is harmless.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from txmon.addresses import normalize_or_none
from txmon.store.base import Store
from txmon.wire import dumps, loads

# Japan's FEFTA: a payment to or from abroad above ¥30,000,000 is reported to the Minister
# of Finance (MOF). The exchange mapping flags such transfers, screening adds a reason.
MOF_THRESHOLD_JPY = 30_000_000

ACCOUNT = "exchange:account:"
LOGIN = "exchange:login:"
ADDRESS = "exchange:address:"


def address_key(address: str) -> str:
    normal = normalize_or_none(address)
    return ADDRESS + (normal.address if normal is not None else address)


def account_for(store: Store, address: str) -> str | None:
    """The exchange account a deposit address was assigned to, or None."""
    raw = store.get(address_key(address))
    return raw.decode() if raw is not None else None


class Accounts:
    """Read side of the customer records (the consumer writes through ``put_many``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def customer(self, account: str) -> dict[str, Any] | None:
        raw = self._store.get(ACCOUNT + account)
        return None if raw is None else loads(raw)

    def login_country(self, account: str) -> str | None:
        raw = self._store.get(LOGIN + account)
        return None if raw is None else loads(raw).get("country")

    def customers(self) -> Iterator[dict[str, Any]]:
        """Every customer record (for re-screening after a list update)."""
        for _, raw in self._store.scan(ACCOUNT):
            yield loads(raw)

    def account_for(self, address: str) -> str | None:
        return account_for(self._store, address)

    def owner_of(self, normalised: str) -> str | None:
        """Like :meth:`account_for` for an address already normalised (hot path)."""
        raw = self._store.get(ADDRESS + normalised)
        return raw.decode() if raw is not None else None


def customer_items(account: str, record: dict[str, Any]) -> dict[str, bytes]:
    return {ACCOUNT + account: dumps(record)}


def login_items(account: str, country: str, time: str) -> dict[str, bytes]:
    return {LOGIN + account: dumps({"country": country, "time": time})}


def address_items(account: str, address: str) -> dict[str, bytes]:
    return {address_key(address): account.encode()}
