"""How long the process stood still in the garbage collector: every stage of a worker
shares one event loop, so a collection delays all of them at once."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Histogram


def observe_gc_pauses(pauses: Histogram) -> Callable[[], None]:
    """Record every collection of this process in `pauses` (seconds, labelled by
    generation) from now on; returns the function that stops recording."""
    started: list[float] = [0.0]
    # The labelled series are made here, not in the callback: `labels()` takes the metric's
    # lock, and a collection can start while that same thread holds it (a /metrics scrape
    # copies the series under it), which would wait on itself forever. `observe` only takes
    # each value's lock, under which nothing is allocated that could start a collection.
    by_generation = {g: pauses.labels(generation=str(g)) for g in range(3)}

    def on_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        by_generation[info["generation"]].observe(time.perf_counter() - started[0])

    gc.callbacks.append(on_collection)

    def stop() -> None:
        if on_collection in gc.callbacks:
            gc.callbacks.remove(on_collection)

    return stop
