"""A real broker for benchmarks: KAFKA_BOOTSTRAP_SERVERS when set, else our own on free ports."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newswire.kafka_local.launcher import throwaway_broker


@contextmanager
def broker() -> Iterator[str]:
    """The bootstrap address of a running broker, stopped afterwards if we started it."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    with throwaway_broker(Path(tempfile.mkdtemp(prefix="bench-kafka-"))) as bootstrap:
        yield bootstrap
