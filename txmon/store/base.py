"""The store interface: a small set of primitives that every backend implements.

Domain repositories (tags, alerts, checkpoints, exposure, UTXO cache, history) are
written once on top of these primitives, so the embedded (SQLite) and Redis backends only
have to agree on a dozen operations (key/value, sets, chained logs), and one conformance suite
(``tests/conformance/test_store_conformance.py``) proves that they do.

Keys are ``str`` with ``:``-separated namespaces (``tag:eth:0xabc``); values are bytes.
Ordering of ``scan`` is lexicographic by key so that callers can page deterministically.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LogHead:
    """The last entry of a chained log: its sequence number and hash ("" when empty)."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Outcome of :meth:`Store.append_chained`: the entry's sequence and whether it is new."""

    seq: int
    created: bool


# build(seq, prev_hash) -> (entry bytes, entry hash). Called inside the backend's atomic
# section, possibly more than once under contention, so it must be pure.
EntryBuilder = Callable[[int, str], tuple[bytes, str]]


class Store(ABC):
    """Durable key/value store with atomic batches and hash-chained append-only logs.

    Lifecycle: construct (connects and fails loudly if unreachable) → use → ``close()``.
    """

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """Value of ``key`` or ``None``."""

    @abstractmethod
    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        """Values of ``keys`` in order (one round trip on networked backends)."""

    @abstractmethod
    def put_many(self, items: Mapping[str, bytes], delete: Iterable[str] = ()) -> None:
        """Set ``items`` and delete ``delete`` atomically: readers see all or nothing."""

    @abstractmethod
    def add_if_absent(self, key: str, value: bytes) -> bool:
        """Set ``key`` only if it does not exist; True if this call set it."""

    @abstractmethod
    def scan(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        """All ``(key, value)`` whose key starts with ``prefix``, sorted by key."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Delete every key that starts with ``prefix``; returns how many went."""

    @abstractmethod
    def add_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        """Add members to named sets, all in one atomic batch (idempotent)."""

    @abstractmethod
    def members(self, key: str) -> set[str]:
        """Members of the set ``key`` (empty when it does not exist)."""

    @abstractmethod
    def remove_members(self, sets: Mapping[str, Iterable[str]]) -> None:
        """Remove members from named sets (missing ones are ignored)."""

    @abstractmethod
    def append_chained(self, log: str, dedupe_key: str, build: EntryBuilder) -> AppendResult:
        """Append one entry to ``log`` unless ``dedupe_key`` was appended before.

        Atomic: the dedupe check, the sequence number (head + 1, no gaps) and the link to
        the previous entry's hash are decided together, so two workers racing on the same
        alert produce one entry, and the chain never forks.
        """

    @abstractmethod
    def read_log(self, log: str, from_seq: int = 1) -> Iterator[tuple[int, bytes]]:
        """Entries of ``log`` with sequence ≥ ``from_seq``, in order."""

    @abstractmethod
    def log_head(self, log: str) -> LogHead:
        """Sequence and hash of the last entry (``LogHead(0, "")`` when empty)."""

    def append_chained_many(self, log: str,
                            items: Sequence[tuple[str, EntryBuilder]]) -> list[AppendResult]:
        """:meth:`append_chained` for each ``(dedupe_key, build)`` in order.

        A backend may commit them together (one transaction, one fsync: SQLite does) —
        a group commit for batch work such as ``txmon screen --batch``; the default
        appends one by one. Either way each entry is durable when this returns.
        """
        return [self.append_chained(log, key, build) for key, build in items]

    def trim_log(self, log: str, through_seq: int) -> int:
        """Delete entries ``1..through_seq`` of ``log`` (retention); returns how many.

        The last entry is never deleted (it is the head the next append links to), and
        dedupe keys stay, so a pruned record id is still never recorded twice. A backend
        without it refuses: deleting compliance records is never a silent no-op.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot trim logs")

    @abstractmethod
    def ping(self) -> None:
        """Raise :class:`txmon.errors.BackendUnavailable` if the backend cannot be reached."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; the object must not be used afterwards."""

    # Convenience built on the primitives: not abstract, one implementation for all.
    def put(self, key: str, value: bytes) -> None:
        """Set one key."""
        self.put_many({key: value})

    def delete(self, *keys: str) -> None:
        """Delete keys (missing keys are ignored)."""
        self.put_many({}, delete=keys)
