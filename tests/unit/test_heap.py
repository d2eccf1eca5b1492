"""What a frozen heap promises: loaded objects leave the full collections; garbage does not
get frozen with them."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from newswire.heap import freeze_loaded


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture
def unfrozen_after() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen_after")
def test_objects_alive_when_frozen_leave_the_full_collections() -> None:
    loaded = {"kept": [object()]}
    assert any(o is loaded for o in gc.get_objects())

    frozen = freeze_loaded()

    assert frozen >= 1
    assert not any(o is loaded for o in gc.get_objects())
    made_after = {"later": [object()]}
    assert any(o is made_after for o in gc.get_objects())


@pytest.mark.usefixtures("unfrozen_after")
def test_garbage_cycles_are_collected_before_the_freeze() -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    probe = weakref.ref(first)
    del first, second
    was_enabled = gc.isenabled()
    gc.disable()  # only freeze_loaded's own collection may free the cycle
    try:
        freeze_loaded()
    finally:
        if was_enabled:
            gc.enable()
    assert probe() is None
