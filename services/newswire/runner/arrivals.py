"""How fast records reach a stage: what tells the runner whether a linger would pay."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# Long enough to smooth the batches of a stage lingering 50-100 ms, short enough that a
# quiet stage stops lingering within seconds of its load falling.
WINDOW_S = 2.0


class ArrivalRate:
    """Records taken per second over the last `window_s` seconds."""

    def __init__(
        self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._taken: deque[tuple[float, int]] = deque()
        self._total = 0

    def add(self, records: int) -> None:
        """Note that `records` were taken now."""
        if records > 0:
            self._taken.append((self._clock(), records))
            self._total += records

    def per_second(self) -> float:
        """The rate records were taken at over the window that ends now."""
        cutoff = self._clock() - self.window_s
        while self._taken and self._taken[0][0] <= cutoff:
            self._total -= self._taken.popleft()[1]
        return self._total / self.window_s
