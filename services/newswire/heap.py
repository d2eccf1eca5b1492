"""Keeping what a process loads once out of the garbage collector's full passes.

A worker holds about 560,000 objects once its modules, gazetteer and rules are loaded, and a
NER process holds its spaCy pipeline. Python's full (generation 2) collection walks every
one of them: in the worker it stopped the event loop, and with it every stage, for 250-420
ms every 5-30 s under load (docs/performance.md). Objects loaded once and kept for the
process's life need never be walked, so they are frozen once loading is done.

The price: a reference cycle that passes through a frozen object is never collected, even
its members made later. Freezing happens once per process (per pipeline in a NER process),
so whatever else is alive at that moment (a worker's first batches) can leak at most once.
"""

from __future__ import annotations

import gc


def freeze_loaded() -> int:
    """Collect garbage once, then move every object alive now (loaded or not) into the
    collector's permanent generation, so that later full collections walk only objects made
    from here on; returns how many objects are frozen in this process.

    A frozen object is still freed as soon as nothing refers to it; a reference cycle
    through a frozen object is never collected, which is why garbage is collected first."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
