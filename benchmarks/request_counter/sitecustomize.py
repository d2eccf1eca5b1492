"""Counts the Kafka requests a worker process sends, by request type, for
`latency.py --count-requests`. Python imports this file at start-up in every process whose
PYTHONPATH holds this folder; it does anything only in a `python -m ...` process (the
worker, not its spawned NER processes) whose environment names the file to write in
`BENCH_REQUEST_COUNTS`. Written at most once a second while requests go out, and at exit;
the counts include the worker's start-up and shutdown requests.
A benchmark tool, never part of the package."""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from collections import Counter
from typing import Any

_PATH = os.environ.get("BENCH_REQUEST_COUNTS")


def _install(path: str) -> None:
    import aiokafka.conn  # noqa: PLC0415 - only in the process that counts

    counts: Counter[str] = Counter()
    written = [0.0]
    send = aiokafka.conn.AIOKafkaConnection.send

    def write() -> None:
        # Whole or not at all: the reader may come after a kill mid-write.
        with open(path + ".tmp", "w") as out:
            json.dump(dict(counts), out)
        os.replace(path + ".tmp", path)

    def counting_send(self: Any, request: Any, expect_response: bool = True) -> Any:
        counts[type(request).__name__] += 1
        now = time.monotonic()
        if now - written[0] > 1.0:
            written[0] = now
            write()
        return send(self, request, expect_response)

    aiokafka.conn.AIOKafkaConnection.send = counting_send
    atexit.register(write)


if _PATH and sys.argv[:1] == ["-m"]:
    _install(_PATH)
