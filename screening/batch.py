"""Batch screening: one NDJSON query per line in, one decision (or error) per line out.

An exchange screens its whole customer base, or a day's withdrawals, as a file: each line
is ``{"id": …, "name": …, "dob"?: …, "country"?: …}`` or ``{"id": …, "address": …,
"chain"?: …, "customer"?: …, "value_jpy"?: …, "transfer"?: …}``. Each line is decided by
the same :class:`ScreeningService` calls as a one-off ``txmon screen`` (so the same
decision, and each one recorded as a confirmation), and answered with its ``id``. A line
that cannot be decided (not JSON, unknown field, bad date, broken address) is answered
with ``{"id", "line", "error"}`` and the batch goes on: one bad row must not stop a
100,000-customer run, nor be dropped silently. The name index is the service's, built
once for the list versions in force (rebuilt only if a list version changes mid-run).

With ``chunk`` > 1 the decisions of up to ``chunk`` lines are recorded in one store
transaction (a group commit: on the embedded store each commit is an fsync, which cost
more than the screening itself) and only then yielded: a decision is never output before
its confirmation record is durable. ``chunk=1`` answers each line as soon as it is read
(an interactive pipe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from screening.matcher import NameQuery
from screening.service import MAX_VALUE_JPY, ScreeningService
from txmon.chains import ChainName
from txmon.errors import BadRecord
from txmon.transfer_schema import describe
from txmon.wire import loads

MAX_LINE_BYTES = 16 * 1024  # as the API's body limit: a real query is under 2 kB
QueryId = StrictStr | StrictInt
_Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:@/-]{1,128}$")]


class NameLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: QueryId
    name: str = Field(min_length=1, max_length=300)
    dob: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")


class AddressLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: QueryId
    address: str = Field(min_length=1, max_length=128)
    chain: ChainName | None = None
    customer: _Id | None = None
    value_jpy: Annotated[int, Field(ge=0, le=MAX_VALUE_JPY)] | None = None
    transfer: _Id | None = None


@dataclass(slots=True)
class Outcome:
    """One output line: a decision, or an error for the query on line ``line``."""

    line: int
    body: dict[str, Any]
    ok: bool


def screen_lines(service: ScreeningService, lines: Iterable[bytes], by: str | None = None,
                 chunk: int = 1) -> Iterator[Outcome]:
    """Decide every non-blank line of ``lines`` (bytes, newline or not), in order."""
    pending: list[tuple[Outcome, dict[str, Any] | None]] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue  # a blank line is no query (a trailing newline, an editor's habit)
        pending.append(_screen_line(service, raw, number))
        if len(pending) >= chunk:
            yield from _confirmed(service, pending, by)
            pending = []
    yield from _confirmed(service, pending, by)


def _confirmed(service: ScreeningService, pending: list[tuple[Outcome, dict[str, Any] | None]],
               by: str | None) -> Iterator[Outcome]:
    answers = [answer for _, answer in pending if answer is not None]
    if answers:
        service.confirm(answers, by)  # one transaction; BackendError stops the run
    for outcome, answer in pending:
        if answer is not None:
            outcome.body.update(answer)
        yield outcome


def _screen_line(service: ScreeningService, raw: bytes,
                 number: int) -> tuple[Outcome, dict[str, Any] | None]:
    query_id: Any = None
    try:
        data = _object(raw)
        query_id = data.get("id")
        answer = _decide(service, data)
    except BadRecord as exc:
        body = {"id": _echo(query_id), "line": number, "error": str(exc)}
        return Outcome(number, body, False), None
    return Outcome(number, {"id": query_id}, True), answer


def _object(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise BadRecord(f"line longer than {MAX_LINE_BYTES} bytes")
    data = loads(raw)  # BadRecord when not JSON
    if not isinstance(data, dict):
        raise BadRecord(f"not a JSON object: {type(data).__name__}")
    return data


def _decide(service: ScreeningService, data: dict[str, Any]) -> dict[str, Any]:
    """The answer, not yet recorded (:func:`_confirmed` records it)."""
    if ("name" in data) == ("address" in data):
        raise BadRecord("a query has either 'name' or 'address'")
    try:
        if "name" in data:
            q = NameLine.model_validate(data)
            dob = _date(q.dob)
            country = q.country.upper() if q.country else None
            return service.screen_name(NameQuery(q.name, dob, country), record=False)
        a = AddressLine.model_validate(data)
    except ValidationError as exc:
        raise BadRecord(describe(exc)) from None
    return service.screen_address(a.address, chain=a.chain, customer=a.customer,
                                  value_jpy=a.value_jpy, transfer=a.transfer, record=False)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRecord(f"dob: {text!r} is not a date that exists") from None


def _echo(query_id: Any) -> Any:
    """The id as given when it is a usable one, else null (an error line still answers)."""
    return query_id if isinstance(query_id, str | int) and not isinstance(query_id, bool) \
        else None
