"""The runner's partition store: reads see the transaction's own changes, an abort or a
failed batch leaves no trace, and a commit makes changes what a restore would rebuild."""

from __future__ import annotations

import pytest

from newswire.runner.store import PartitionStore


def test_changes_are_visible_at_once_and_kept_only_when_committed() -> None:
    store = PartitionStore()
    store[b"a"] = b"1"
    assert store[b"a"] == b"1" and dict(store) == {b"a": b"1"}
    store.abort()
    assert b"a" not in store and len(store) == 0
    store[b"a"] = b"2"
    store[b"b"] = b"3"
    del store[b"b"]
    assert store.changes() == {b"a": b"2", b"b": None}
    store.commit(position=7)
    assert dict(store) == {b"a": b"2"} and store.changes() == {} and store.position == 7


def test_a_failed_batch_is_undone_and_a_kept_one_joins_the_transaction() -> None:
    store = PartitionStore()
    store[b"kept"] = b"1"
    store.commit()
    store.begin_batch()
    del store[b"kept"]
    store[b"new"] = b"x"
    assert b"kept" not in store
    store.end_batch(keep=False)
    assert dict(store) == {b"kept": b"1"}
    store.begin_batch()
    store[b"new"] = b"y"
    store.end_batch(keep=True)
    assert store.changes() == {b"new": b"y"}
    with pytest.raises(KeyError):
        del store[b"missing"]


def test_restore_replays_committed_records_with_deletions() -> None:
    store = PartitionStore()
    for offset, (key, value) in enumerate([(b"a", b"1"), (b"b", b"2"), (b"a", None)]):
        store.restore(key, value, offset)
    assert dict(store) == {b"b": b"2"} and store.position == 3


def test_the_epoch_tells_derived_indexes_when_entries_were_undone_or_restored() -> None:
    store = PartitionStore()
    store[b"a"] = b"1"
    store.commit()
    seen = store.epoch
    store.begin_batch()
    store.end_batch(keep=True)
    assert store.epoch == seen  # nothing undone
    store.begin_batch()
    store[b"b"] = b"2"
    store.end_batch(keep=False)
    assert store.epoch > seen
    seen = store.epoch
    store[b"c"] = b"3"
    store.abort()
    assert store.epoch > seen
    seen = store.epoch
    store.restore(b"d", b"4", 0)
    assert store.epoch > seen
