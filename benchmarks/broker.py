"""A real broker for benchmarks: KAFKA_BOOTSTRAP_SERVERS when set, else our own on free ports."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newswire.kafka_local.launcher import LocalKafka, free_port


@contextmanager
def broker() -> Iterator[str]:
    """The bootstrap address of a running broker, stopped afterwards if we started it."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    home = Path(tempfile.mkdtemp(prefix="bench-kafka-"))
    kafka = LocalKafka(home=home, port=free_port(), controller_port=free_port())
    kafka.start()
    try:
        yield kafka.bootstrap
    finally:
        kafka.stop()
