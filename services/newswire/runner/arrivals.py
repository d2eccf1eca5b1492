"""How fast a stage gets through records: what tells the runner whether a linger would pay."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# Long enough to smooth the batches of a stage lingering 50-100 ms, short enough that a
# quiet stage stops lingering within seconds of its load falling.
WINDOW_S = 2.0


class ArrivalRate:
    """Records per second over the last `window_s` seconds. A window not yet full counts
    as if nothing came before it, so after a quiet spell the rate catches up over up to
    `window_s`. Holds one entry per `add` within the window, never more."""

    __slots__ = ("_clock", "_counts", "_total", "window_s")

    def __init__(
        self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._counts: deque[tuple[float, int]] = deque()
        self._total = 0

    def add(self, records: int) -> None:
        """Note that `records` came now."""
        now = self._clock()
        self._expire(now)
        if records > 0:
            self._counts.append((now, records))
            self._total += records

    def per_second(self) -> float:
        """The rate records came at over the window that ends now."""
        self._expire(self._clock())
        return self._total / self.window_s

    def __len__(self) -> int:
        return len(self._counts)

    def _expire(self, now: float) -> None:
        cutoff = now - self.window_s
        while self._counts and self._counts[0][0] <= cutoff:
            self._total -= self._counts.popleft()[1]
