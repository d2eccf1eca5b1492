"""A stage's keyed state for one input partition: a cache of its changelog plus the
changes of the transaction in progress.

Reads see the open transaction's own changes first, then what is committed. Changes are
only merged into the committed entries once the Kafka transaction that wrote them to the
changelog has committed; an aborted transaction's changes are dropped. So the local copy
is never ahead of the changelog, and a worker that takes the partition over rebuilds the
same state by reading the changelog (read_committed) from where its copy stopped.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

# None marks a deletion (a tombstone on the changelog).
Changes = dict[bytes, bytes | None]


class PartitionStore(MutableMapping[bytes, bytes]):
    """Bytes to bytes; committed entries, the transaction's changes, and a batch savepoint."""

    def __init__(self) -> None:
        self._committed: dict[bytes, bytes] = {}
        self._pending: Changes = {}
        self._batch: Changes | None = None
        # The changelog offset the committed entries reflect: the next one to read.
        self.position = 0
        # Changes whenever entries a stage may have read are undone or replaced (a batch
        # rolled back, a transaction aborted, records restored): a stage that keeps
        # indexes derived from the store rebuilds them when it sees a new epoch.
        self.epoch = 0

    # -- the mapping, as stage code sees it --------------------------------------------

    def _layers(self) -> list[Changes]:
        return [self._batch, self._pending] if self._batch is not None else [self._pending]

    def __getitem__(self, key: bytes) -> bytes:
        for layer in self._layers():
            if key in layer:
                value = layer[key]
                if value is None:
                    raise KeyError(key)
                return value
        return self._committed[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._layers()[0][key] = bytes(value)

    def __delitem__(self, key: bytes) -> None:
        if key not in self:
            raise KeyError(key)
        self._layers()[0][key] = None

    def __iter__(self) -> Iterator[bytes]:
        merged: Changes = dict.fromkeys(self._committed, b"")
        for layer in reversed(self._layers()):
            merged.update(layer)
        return iter([key for key, value in merged.items() if value is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    # -- batches and transactions, as the runner drives them ---------------------------

    def begin_batch(self) -> None:
        """Open a savepoint: the next changes can be kept or undone together."""
        self._batch = {}

    def end_batch(self, *, keep: bool) -> None:
        """Close the savepoint, keeping its changes in the transaction or undoing them."""
        if self._batch is not None and keep:
            self._pending.update(self._batch)
        elif self._batch:
            self.epoch += 1
        self._batch = None

    def changes(self) -> Changes:
        """The open transaction's changes, to be written to the changelog."""
        return dict(self._pending)

    def commit(self, position: int | None = None) -> None:
        """The transaction committed: its changes become committed entries. `position` is
        the changelog offset after the last change written, when any was."""
        self.end_batch(keep=True)
        for key, value in self._pending.items():
            self._apply(key, value)
        self._pending = {}
        if position is not None:
            self.position = max(self.position, position)

    def abort(self) -> None:
        """The transaction aborted: forget its changes."""
        if self._batch or self._pending:
            self.epoch += 1
        self._batch = None
        self._pending = {}

    def restore(self, key: bytes, value: bytes | None, offset: int) -> None:
        """Apply one committed changelog record read at `offset`."""
        self.epoch += 1
        self._apply(key, value)
        self.position = offset + 1

    def _apply(self, key: bytes, value: bytes | None) -> None:
        if value is None:
            self._committed.pop(key, None)
        else:
            self._committed[key] = value
