"""One exception hierarchy for the whole project (modelled on web3.py's).

Two levels of error, as the pipeline treats them differently:

* :class:`BadRecord` and its children describe one bad input (a malformed feed message,
  an unknown script, a broken list line). The record goes to the dead-letter topic with
  the reason and processing continues.
* :class:`BackendError` and its children mean Kafka or Redis failed (down, restarting,
  timed out). A long-running consumer retries with back-off and reports unhealthy until
  the backend is back; it never skips the records it could not finish.
* Everything else under :class:`TxmonError` means a source or configuration is broken:
  the process stops loudly rather than skipping data.
"""

from __future__ import annotations


class TxmonError(Exception):
    """Base class of every error txmon raises on purpose."""


class ConfigError(TxmonError):
    """Settings are invalid; raised at start-up with a message naming the setting."""


class BackendError(TxmonError):
    """Kafka or Redis failed; the same operation may succeed once the backend is back.

    Raised at the backend boundary (:mod:`txmon.store.redis`, :mod:`txmon.bus.kafka`) in
    place of the client libraries' own exceptions, so that callers handle one family.
    """


class BackendUnavailable(BackendError):
    """A configured Kafka or Redis cannot be reached. Never fall back to embedded."""


class Rebalanced(BackendError):
    """The consumer group moved this member's partitions while a batch ran (its commit was
    refused): not an outage; the batch goes again to whoever owns the partitions now."""


class DeliveryError(BackendError):
    """The bus did not confirm delivery; the caller must not advance its checkpoint."""


class BadRecord(TxmonError):
    """One input record cannot be processed; it is dead-lettered, not fatal."""


class InvalidAddress(BadRecord):
    """A string is not a valid address of any supported chain (checksum included)."""


class ListFormatError(TxmonError):
    """A sanctions or label file is malformed; the whole file is rejected.

    Carries the file, line (when known) and reason so that an operator can fix it.
    """

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class RulebookError(TxmonError):
    """A rulebook failed validation; names file, line and rule."""


class RuleError(TxmonError):
    """One rule could not be evaluated on one transfer (a CEL error, a non-bool result).

    The error contract of conditions (docs/rules.md): the engine records it with the rule
    and transfer ids (dead letter + ``txmon_rule_errors_total``) and the other rules of
    the rulebook still run on that transfer.
    """


class RpcError(TxmonError):
    """A node answered a JSON-RPC call with an error or not at all."""


class FeedVerificationError(TxmonError):
    """An alert feed has a gap, an edited or a removed entry; names the first bad seq."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"feed broken at sequence {seq}: {reason}")
        self.seq = seq
        self.reason = reason


class WorkflowError(TxmonError):
    """An alert status change was refused (unknown alert, invalid transition, race)."""


class MissingExtra(TxmonError):
    """An optional feature's packages are not installed; the message names the extra."""

    def __init__(self, feature: str, extra: str, module: str | None) -> None:
        super().__init__(
            f"{feature} needs the optional '{extra}' packages (no module {module!r}): "
            f"pip install 'txmon[{extra}]'"
        )
        self.extra = extra


class FeedForkError(TxmonError):
    """The alert store and the alerts topic disagree (e.g. the store lost acknowledged
    writes the topic already has): publishing would re-use sequence numbers and fork the
    regulator feed, so the publisher stops instead."""
