"""The whole pipeline over SASL_SSL with SCRAM, each component as its own least-privilege
principal; the worker's web port locked down; no secret or article text in its log."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.connection import client_options
from newswire.ingest.files import articles_from_path
from newswire.models import DeadLetter, EnrichedArticle
from newswire.subscribe.reader import read_until
from newswire.topics import DEADLETTER, ENRICHED, RAW, topic_name
from tests.security.conftest import SecureCluster, canary
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.security, pytest.mark.slow]


async def _publish(settings: Settings, paths: list[Path]) -> list[str]:
    async with AsyncClient(settings, component="test") as client:
        return await client.publish_many(
            [a for p in paths for a in articles_from_path(p, source="seed")]
        )


async def _send_raw(settings: Settings, value: bytes) -> None:
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic_name(settings, RAW), value, key=b"bad")
    finally:
        await producer.stop()


def _windows(text: str, width: int = 40, step: int = 97) -> list[str]:
    """Overlapping-free samples of `text`, each long enough to be unmistakably from it."""
    flat = " ".join(text.split())
    return [flat[i : i + width] for i in range(0, max(len(flat) - width, 1), step)]


def test_the_pipeline_runs_end_to_end_over_sasl_ssl_with_scram(
    cluster: SecureCluster, seed_paths: list[Path], tmp_path: Path
) -> None:
    worker = cluster.scram("worker")
    planted = canary()
    # Valid JSON, but `url` is not a URL and the text is not a string: pydantic's own error
    # text would quote this input, the canary with it.
    bad = orjson.dumps({"url": f"not a url {planted}", "source": "x", "text": {"t": planted}})
    log = tmp_path / "worker.log"
    with running_worker(worker, log):
        web = f"http://{worker.web_host}:{worker.web_port}"
        served = {
            path: httpx.get(web + path, timeout=10).status_code
            for path in (
                "/table/",
                "/router/",
                "/table/dedup-index/",
                "/graph/",
                "/",
                "/metrics",
                "/healthz",
            )
        }
        ids = asyncio.run(_publish(cluster.scram("ingest"), seed_paths))
        asyncio.run(_send_raw(cluster.scram("ingest"), bad))
        messages = asyncio.run(
            read_until(cluster.scram("subscriber"), topic_name(worker, ENRICHED), 5, timeout_s=120)
        )
        letters = asyncio.run(
            read_until(cluster.scram("operator"), topic_name(worker, DEADLETTER), 1, timeout_s=60)
        )

    events = [EnrichedArticle.model_validate_json(m.value) for m in messages]
    assert sorted(e.id for e in events) == sorted(ids)
    assert all(e.processing.worker_id == worker.worker_id for e in events)

    assert served["/metrics"] == 200 and served["/healthz"] == 200
    assert {served[p] for p in ("/table/", "/router/", "/table/dedup-index/", "/graph/", "/")} == {
        404
    }

    letter = DeadLetter.model_validate_json(letters[0].value)
    assert (
        planted in base64.b64decode(letter.original).decode()
        if isinstance(letter.original, str)
        else planted.encode() in letter.original
    )
    assert planted not in letter.error and "url" in letter.error

    text = log.read_text(errors="replace")
    assert text.strip(), "the worker logged nothing; the scan below would prove nothing"
    secrets = [cluster.security.passwords["worker"], cluster.security.passwords["admin"]]
    assert not [s for s in secrets if s in text]
    assert planted not in text
    for path in seed_paths:
        leaked = [w for w in _windows(path.read_text()) if w in text]
        assert not leaked, f"article text of {path.name} in the worker log: {leaked[:2]}"
