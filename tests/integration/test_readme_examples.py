"""The README's examples, pasted as a user would (addresses and topic names pointed at the
test's own broker, worker and ingest server), work end to end: the curl, kcat and Python
client examples each come out of the pipeline with an outcome and no dead letter, the kcat
consumer example reads committed events, and the routes example loads."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from aiohttp import web

from newswire.config import Settings
from newswire.ingest.http import create_ingest_app
from newswire.kafka_local.launcher import free_port
from newswire.models import EnrichedArticle
from newswire.models.events import EntityTag
from newswire.routing.routes import RouteTable
from newswire.subscribe.reader import read_until
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, topic_name
from tests.support.tools import require_tool
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def blocks(language: str) -> list[str]:
    """The README's fenced code blocks in `language`."""
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def block_with(language: str, needle: str) -> str:
    [found] = [b for b in blocks(language) if needle in b]
    return found


def pointed_at(text: str, settings: Settings, ingest_port: int) -> str:
    """An example with the README's addresses and topics replaced by the test's."""
    for name in (RAW, ENRICHED):
        text = text.replace(f"-t {name}", f"-t {topic_name(settings, name)}")
    return text.replace("localhost:9092", settings.kafka_bootstrap).replace(
        "localhost:8080", f"127.0.0.1:{ingest_port}"
    )


def shell(command: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    return done.stdout


async def run_examples(settings: Settings, kcat: str | None) -> int:
    """Run the producing examples; returns how many raw events they sent."""
    runner = web.AppRunner(create_ingest_app(settings))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        curl = pointed_at(block_with("sh", "curl"), settings, port)
        answer = orjson.loads(await asyncio.to_thread(shell, curl))
        assert answer["accepted"] == 1, answer
    finally:
        await runner.cleanup()
    sent = 1
    if kcat is not None:
        await asyncio.to_thread(shell, pointed_at(block_with("sh", "kcat -P"), settings, port))
        sent += 1
    python = pointed_at(block_with("python", "from newswire.client import Client"), settings, port)
    env = {**os.environ, "NEWSWIRE_TOPIC_PREFIX": settings.topic_prefix}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    await asyncio.to_thread(
        shell, f"{sys.executable} - <<'PY'\n{python}\nprint(future.result())\nPY", env
    )
    return sent + 5  # publish, a batch of three, submit


def test_the_readme_examples_work_when_pasted(topics: Settings, tmp_path: Path) -> None:
    kcat = require_tool("kcat") if os.environ.get("CI") else None
    if kcat is None:
        try:
            kcat = require_tool("kcat")
        except pytest.skip.Exception:
            kcat = None  # the other examples still run
    with running_worker(topics, tmp_path / "worker.log"):
        sent = asyncio.run(run_examples(topics, kcat))

        def read(name: str, count: int, timeout_s: float = 90) -> int:
            found = asyncio.run(
                read_until(
                    topics.kafka_bootstrap, topic_name(topics, name), count, timeout_s=timeout_s
                )
            )
            return len(found)

        # Every example's article is one story: the first is enriched, the rest are copies.
        enriched = read(ENRICHED, 1)
        duplicates = read(DUPLICATES, sent - enriched)
        assert (enriched, duplicates) == (1, sent - 1)
        assert read(DEADLETTER, 1, timeout_s=1) == 0  # every raw event has had its outcome

    if kcat is not None:
        consumer = pointed_at(block_with("sh", "kcat -C"), topics, 0)
        [line] = shell(consumer).splitlines()
        assert EnrichedArticle.model_validate_json(line).countries[0].code == "SY"


def test_the_readme_routes_example_loads_and_takes_a_security_council_story() -> None:
    table = RouteTable.model_validate(__import__("yaml").safe_load(block_with("yaml", "routes:")))
    [un] = [r for r in table.routes if r.topic == "news.orgs.un"]
    council = EntityTag(name="United Nations Security Council", kind="org", count=1, mentions=[])
    from tests.unit.test_routes import event

    assert un.matches(event({"SY": 1.0}).model_copy(update={"entities": [council]}))
