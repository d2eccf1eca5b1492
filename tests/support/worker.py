"""Runs real `newswire worker` processes against the test broker, on fresh topics."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from newswire.config import Settings
from newswire.demo import start_worker, stop_worker


def wait_ready(
    settings: Settings, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 90.0
) -> None:
    """Block until the worker's /readyz says ready; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + timeout_s
    url = f"http://{settings.web_host}:{settings.web_port}/readyz"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"worker exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}"
            )
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"worker not ready after {timeout_s}s:\n{log.read_text(errors='replace')[-4000:]}"
    )


@contextmanager
def running_worker(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker process that is ready when the block starts and stopped when it ends."""
    proc = start_worker(settings, log)
    try:
        wait_ready(settings, proc, log)
        yield proc
    finally:
        stop_worker(proc)
