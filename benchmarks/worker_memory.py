"""Resident memory of a real `newswire worker` (its process and its NER pool) once it is
ready and has enriched the seed articles.

    cd benchmarks && ../.venv/bin/python worker_memory.py [--processes 2]

Target (issue 5): <= 700 MB with the model loaded."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from pathlib import Path

from broker import broker
from newswire.admin import ensure_topics
from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.demo import start_worker, stop_worker
from newswire.ingest.files import articles_from_path
from newswire.kafka_local.launcher import free_port
from newswire.subscribe.reader import read_until
from newswire.topics import ENRICHED, topic_name

REPO = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    """Resident set size of one process, in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc's children lists."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    with broker() as bootstrap:
        run = uuid.uuid4().hex[:8]
        home = Path(tempfile.mkdtemp(prefix="bench-worker-"))
        settings = Settings(
            bootstrap_servers=bootstrap,
            topic_prefix=f"mem{run}.",
            app_id=f"mem-{run}",
            data_dir=home / "data",
            web_port=free_port(),
            ner_processes=args.processes,
            log_level="WARNING",
            _env_file=None,  # type: ignore[call-arg]
        )
        asyncio.run(ensure_topics(settings))
        worker = start_worker(settings, home / "worker.log")
        try:
            seeds = list(articles_from_path(REPO / "seeds", source="seed"))

            async def run_seeds() -> int:
                async with AsyncClient(settings) as client:
                    await client.publish_many(seeds)
                got = await read_until(
                    settings.kafka_bootstrap,
                    topic_name(settings, ENRICHED),
                    len(seeds),
                    timeout_s=120,
                )
                return len(got)

            enriched = asyncio.run(run_seeds())
            pool = descendants(worker.pid)
            own = rss_mb(worker.pid)
            children = sum(rss_mb(pid) for pid in pool)
            print(f"enriched={enriched}/{len(seeds)} pool_processes={args.processes}")
            print(
                f"worker_rss_mb={own + children:.0f} (worker {own:.0f} + "
                f"{len(pool)} child processes {children:.0f}; target <= 700)"
            )
        finally:
            stop_worker(worker)


if __name__ == "__main__":
    main()
