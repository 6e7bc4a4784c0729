"""Screening of the exchange's own customers and travel-rule counterparties.

A customer is screened when an account.opened / kyc.updated event arrives, and every
customer again when a list version changes (a message on ``txmon.tags.updates``). Each
run's answer is a confirmation record; the latest per customer is also kept under
``screening:customer:<account>`` for the back office to read. Record ids are
deterministic (event id, or tag-store head sequence) so a redelivered message does not
record twice. With an alert store, matches also become alerts (:mod:`screening.alerting`).
A list version that changes only names (a UN, EU, UK or MOF edition without addresses)
is announced like any other (``names_changed`` in the update), so it re-screens too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from alerts.store import AlertStore
from screening.alerting import ScreeningAlerts
from screening.decision import ALLOW
from screening.matcher import NameQuery
from screening.service import ScreeningService
from txmon.models import Transfer
from txmon.wire import dumps

LATEST = "screening:customer:"
WORKER = "txmon/ingest-exchange"  # who asked, in the confirmation records of the feed


class CustomerScreening:
    """Runs customer and counterparty screening through one :class:`ScreeningService`."""

    def __init__(self, service: ScreeningService, alerts: AlertStore | None = None) -> None:
        self.service = service
        self.alerts = ScreeningAlerts(alerts) if alerts is not None else None
        self.rescreened = 0
        self.raised = 0

    def customer(self, account: str, cause: str) -> dict[str, Any]:
        answer = self.service.screen_customer(account, record_id=f"customer:{account}:{cause}",
                                              by=WORKER)
        self.service.store.put(LATEST + account, dumps(answer))
        if self.alerts is not None:
            self.raised += len(self.alerts.customer(account, answer))
        return answer

    def rescreen_all(self) -> int:
        """Screen every customer against the lists now in force; returns how many."""
        self.service.matcher(fresh=True)
        seq = self.service.tag_store.head().seq
        count = 0
        for record in self.service.accounts.customers():
            self.customer(record["account"], f"lists-{seq}")
            count += 1
        self.rescreened += count
        return count

    def counterparty(self, transfer: Transfer, names: list[str]) -> Transfer:
        """Screen travel-rule names; the outcome goes into ``extra`` for the rules."""
        if not names:
            return transfer
        # a name's false-positive exception in force turns its match into an allow reason
        reasons = [r for name in names for r in self.service.excepted(
            "name", name, self.service.name_reasons(NameQuery(name)))]
        checked = {"transfer": transfer.id, "names": names}
        rid = f"travel:{transfer.id}:{transfer.status.value}"
        answer = self.service.answer("counterparty", checked, reasons, True, rid, WORKER)
        if self.alerts is not None and self.alerts.counterparty(transfer, names, answer):
            self.raised += 1
        if answer["decision"] == ALLOW:
            return transfer
        extra = {**transfer.extra, "counterparty_screening": answer["decision"],
                 "counterparty_confirmation": str(answer["confirmation"]["seq"])}
        return dataclasses.replace(transfer, extra=extra)
