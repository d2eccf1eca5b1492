"""The main job on one machine: broker, topics, worker, seeds in, enriched events out."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from newswire.admin import ensure_topics
from newswire.client import AsyncClient
from newswire.config import Settings, get_settings
from newswire.connection import client_options
from newswire.ingest.files import articles_from_path
from newswire.kafka_local.launcher import LocalKafka, free_port
from newswire.models import EnrichedArticle
from newswire.subscribe.format import summary_line
from newswire.subscribe.reader import read_until
from newswire.topics import ENRICHED, topic_name


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """Start `newswire worker` as a child process configured by `settings`."""
    env = {**os.environ}
    for name, value in settings.model_dump(exclude_none=True).items():
        env[f"NEWSWIRE_{name.upper()}"] = str(
            value.get_secret_value() if hasattr(value, "get_secret_value") else value
        )
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env["NEWSWIRE_BOOTSTRAP_SERVERS"] = settings.kafka_bootstrap
    log = log_path.open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "newswire", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        log.close()


def stop_worker(proc: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Ask the worker to stop (SIGTERM), then insist (SIGKILL) after `timeout_s`."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def delete_run_topics(settings: Settings, prefixes: tuple[str, ...]) -> list[str]:
    """Delete every topic whose name starts with one of `prefixes` (the demo's own topics
    and the worker's changelogs); returns their names."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        await admin.start()
        doomed = sorted(t for t in await admin.list_topics() if t.startswith(prefixes))
        if doomed:
            await admin.delete_topics(doomed)
        return doomed
    finally:
        await admin.close()


def cleanup_topics(
    settings: Settings, prefixes: tuple[str, ...], echo: Callable[[str], None]
) -> None:
    """Remove the run's topics, saying how many; a failure is reported, not raised."""
    try:
        deleted = asyncio.run(delete_run_topics(settings, prefixes))
    except Exception as exc:  # the demo's result stands; leftover topics are only clutter
        echo(f"could not delete the demo's topics ({type(exc).__name__}: {exc})")
        return
    echo(f"deleted the demo's {len(deleted)} topics")


def run_demo(inputs: list[Path], *, timeout_s: float, echo: Callable[[str], None]) -> int:
    """Run the whole pipeline once over `inputs` on a fresh set of topics, deleted again at
    the end (with the worker's changelogs); 0 on success."""
    base = get_settings()
    run = f"demo-{int(time.time())}"
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="newswire-demo-") as tmp:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = LocalKafka(
                home=base.kafka_home,
                port=base.kafka_port,
                controller_port=base.kafka_controller_port,
            )
            started_here = broker.running_pid() is None
            echo(
                f"starting local Apache Kafka at {broker.bootstrap} (jars via Maven on first run) ..."
            )
            took = broker.start()
            if started_here:
                stack.callback(broker.stop)
            echo(f"kafka ready in {took:.1f}s")
            bootstrap = broker.bootstrap
        settings = base.model_copy(
            update={
                "bootstrap_servers": bootstrap,
                "topic_prefix": f"{run}.",
                "app_id": f"newswire-{run}",
                "data_dir": Path(tmp) / "worker",
                "web_port": free_port(),
            }
        )
        # Registered before the worker's stop, so it runs after it (the stack unwinds LIFO).
        stack.callback(cleanup_topics, settings, (settings.topic_prefix, settings.app_id), echo)
        for result in asyncio.run(ensure_topics(settings)):
            echo(f"topic {result.name} {'created' if result.created else 'exists'}")
        log_path = Path(tmp) / "worker.log"
        worker = start_worker(settings, log_path)
        stack.callback(stop_worker, worker)
        articles = [a for path in inputs for a in articles_from_path(path, source="seed")]

        async def produce() -> list[str]:
            async with AsyncClient(settings, component="demo") as client:
                return await client.publish_many(articles)

        ids = asyncio.run(produce())
        echo(f"produced {len(ids)} raw articles: {', '.join(ids)}")
        messages = asyncio.run(
            read_until(
                settings,
                topic_name(settings, ENRICHED),
                len(ids),
                timeout_s=timeout_s,
                keep_going=lambda: worker.poll() is None,
            )
        )
        for message in messages:
            echo(summary_line(EnrichedArticle.model_validate_json(message.value)))
        if len(messages) < len(ids):
            echo(f"only {len(messages)} of {len(ids)} enriched events arrived; worker log follows")
            echo(log_path.read_text(errors="replace")[-5000:])
            return 1
        echo(f"{len(messages)} enriched events on {topic_name(settings, ENRICHED)}")
        return 0
