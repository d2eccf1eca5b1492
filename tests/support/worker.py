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
    assert_no_article_text(log)


SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def assert_no_article_text(log: Path) -> None:
    """Fail if the log holds any 40-character stretch of a seed article's text (a worker
    may log ids, counts and reasons; never what an article says)."""
    text = " ".join(log.read_text(errors="replace").split())
    for seed in sorted(SEEDS.glob("*.txt")):
        flat = " ".join(seed.read_text().split())
        samples = [flat[i : i + 40] for i in range(0, max(len(flat) - 40, 1), 97)]
        leaked = [s for s in samples if s in text]
        assert not leaked, f"{log.name} quotes {seed.name}: {leaked[:2]}"
