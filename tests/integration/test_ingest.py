"""Each way in publishes valid raw events to the real broker: the Python client (async and
sync), HTTP ingest (with its token and limits) and the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import web
from click.testing import CliRunner
from pydantic import SecretStr

from newswire.cli import main
from newswire.client import AsyncClient, Client, InvalidArticleError
from newswire.config import Settings
from newswire.ingest.http import create_ingest_app
from newswire.kafka_local.launcher import free_port
from newswire.models import RawArticle
from newswire.subscribe.reader import Received, read_until
from newswire.topics import RAW, topic_name
from newswire.wire import header
from tests.support.schemas import validator

pytestmark = [pytest.mark.kafka]


def article(n: int) -> dict[str, object]:
    return {
        "url": f"https://example.com/news/{n}",
        "source": "Example News",
        "title": f"Story {n}",
        "body": f"Story number {n} happened in Damascus today.",
        "published_at": "2026-11-20T08:00:00+00:00",
    }


def read_raw(settings: Settings, count: int, timeout_s: float = 20.0) -> list[Received]:
    messages = asyncio.run(
        read_until(settings.kafka_bootstrap, topic_name(settings, RAW), count, timeout_s=timeout_s)
    )
    for message in messages:
        validator("RawArticle").validate(orjson.loads(message.value))
        assert header(message.headers, "ce_type") == "io.newswire.article.raw.v1"
        assert message.key == orjson.loads(message.value)["id"].encode()
    return messages


async def test_the_async_client_publishes_and_returns_ids(topics: Settings) -> None:
    async with AsyncClient(topics) as client:
        first = await client.publish(article(1))
        batch = await client.publish_many([article(2), article(3)])
        pending = [await client.submit(article(n)) for n in range(4, 8)]
        await client.flush()
        with pytest.raises(InvalidArticleError, match="source"):
            await client.publish({"url": "https://example.com/x", "body": "b"})
    ids = [first, *batch, *(f.result() for f in pending)]
    messages = await asyncio.to_thread(read_raw, topics, len(ids))
    assert sorted(m.key for m in messages) == sorted(i.encode() for i in ids)


def test_the_sync_client_publishes_and_returns_ids(topics: Settings) -> None:
    with Client(topics) as client:
        one = client.publish(article(1))
        futures = [client.submit(article(n)) for n in range(2, 5)]
        many = client.publish_many([article(5), article(6)])
        client.flush()
        assert all(f.done() for f in futures)
    ids = [one, *(f.result() for f in futures), *many]
    assert len(set(ids)) == 6
    assert sorted(m.key for m in read_raw(topics, 6)) == sorted(i.encode() for i in ids)


def test_a_batch_with_one_bad_article_sends_nothing(topics: Settings) -> None:
    with Client(topics) as client, pytest.raises(InvalidArticleError) as caught:
        client.publish_many([article(1), {**article(2), "published_at": "yesterday"}])
    assert [(e.index, e.field) for e in caught.value.errors] == [(1, "published_at")]
    assert read_raw(topics, 1, timeout_s=3) == [], "a refused batch must send nothing"


@asynccontextmanager
async def ingest_server(settings: Settings) -> AsyncIterator[str]:
    runner = web.AppRunner(create_ingest_app(settings))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_http_ingest_accepts_one_or_many_and_explains_refusals(topics: Settings) -> None:
    settings = topics.model_copy(
        update={"ingest_max_request_bytes": 64 * 1024, "max_article_bytes": 16 * 1024}
    )
    async with ingest_server(settings) as base, aiohttp.ClientSession(base) as http:
        async with http.post("/v1/articles", json=article(1)) as one:
            assert one.status == 202
            ids = (await one.json())["ids"]
        async with http.post("/v1/articles", json=[article(2), article(3)]) as many:
            assert many.status == 202
            ids += (await many.json())["ids"]
        ndjson = b"\n".join(orjson.dumps(article(n)) for n in (4, 5))
        async with http.post(
            "/v1/articles", data=ndjson, headers={"Content-Type": "application/x-ndjson"}
        ) as lines:
            assert lines.status == 202
            ids += (await lines.json())["ids"]

        async with http.post(
            "/v1/articles", data=b"{nope", headers={"Content-Type": "application/json"}
        ) as bad_json:
            assert bad_json.status == 400
            assert "not valid JSON" in (await bad_json.json())["error"]
        async with http.post("/v1/articles", json=[article(6), {"url": "x"}]) as invalid:
            assert invalid.status == 422
            errors = (await invalid.json())["errors"]
            assert {(e["index"], e["field"]) for e in errors} >= {(1, "url"), (1, "source")}
        async with http.post("/v1/articles", json={**article(7), "body": "x" * 70_000}) as too_big:
            assert too_big.status == 413
            assert "exceeds" in (await too_big.json())["error"]
        # Within the request limit but over what the worker accepts for one article.
        async with http.post(
            "/v1/articles", json={**article(8), "body": "x" * (settings.max_article_bytes + 1)}
        ) as one_too_big:
            assert one_too_big.status == 422
            [error] = (await one_too_big.json())["errors"]
            assert (error["field"], error["type"]) == ("body", "too_large")
        async with http.post(
            "/v1/articles", data=b"<xml/>", headers={"Content-Type": "text/xml"}
        ) as wrong_type:
            assert wrong_type.status == 415
        async with http.get("/readyz") as ready:
            assert ready.status == 200
        async with http.get("/metrics") as metrics:
            text = await metrics.text()
            assert 'newswire_ingest_requests_total{status="202"} 3.0' in text
            assert "newswire_ingest_articles_total 5.0" in text

    messages = await asyncio.to_thread(read_raw, topics, 6, 3)  # only the 5 accepted
    assert sorted(m.key for m in messages) == sorted(i.encode() for i in ids)


async def test_http_ingest_requires_the_token_when_one_is_set(topics: Settings) -> None:
    settings = topics.model_copy(update={"ingest_token": SecretStr("s3cret")})
    async with ingest_server(settings) as base, aiohttp.ClientSession(base) as http:
        async with http.post("/v1/articles", json=article(1)) as missing:
            assert missing.status == 401
            assert missing.headers["WWW-Authenticate"].startswith("Bearer")
        async with http.post(
            "/v1/articles", json=article(1), headers={"Authorization": "Bearer wrong"}
        ) as wrong:
            assert wrong.status == 401
        async with http.post(
            "/v1/articles", json=article(1), headers={"Authorization": "Bearer s3cret"}
        ) as right:
            assert right.status == 202
    assert len(await asyncio.to_thread(read_raw, topics, 2, 3)) == 1


def test_the_cli_reads_files_folders_json_lines_and_stdin(
    topics: Settings, seed_paths: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_BOOTSTRAP_SERVERS", topics.kafka_bootstrap)
    monkeypatch.setenv("NEWSWIRE_TOPIC_PREFIX", topics.topic_prefix)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    from newswire.config import get_settings

    get_settings.cache_clear()
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_bytes(b"\n".join(orjson.dumps(article(n)) for n in (1, 2)))
    runner = CliRunner()
    try:
        from_files = runner.invoke(main, ["produce", str(seed_paths[0].parent), str(jsonl)])
        from_stdin = runner.invoke(main, ["produce", "-"], input=orjson.dumps(article(3)).decode())
    finally:
        get_settings.cache_clear()
    assert from_files.exit_code == 0, from_files.output
    assert from_stdin.exit_code == 0, from_stdin.output
    ids = from_files.output.split() + from_stdin.output.split()
    assert len(ids) == len(seed_paths) + 3
    messages = read_raw(topics, len(ids))
    assert sorted(m.key for m in messages) == sorted(i.encode() for i in ids)
    assert RawArticle.model_validate_json(messages[0].value).source


async def test_refused_input_can_be_kept_as_a_dead_letter(topics: Settings) -> None:
    from newswire.models import DeadLetter
    from newswire.topics import DEADLETTER

    async with AsyncClient(topics, component="test") as client:
        try:
            await client.publish({"url": "nope"})
        except InvalidArticleError as exc:
            await client.dead_letter(b'{"url": "nope"}', exc)
    [message] = await read_until(
        topics.kafka_bootstrap, topic_name(topics, DEADLETTER), 1, timeout_s=20
    )
    letter = DeadLetter.model_validate_json(message.value)
    validator("DeadLetter").validate(orjson.loads(message.value))
    assert letter.stage == "ingest" and letter.original == b'{"url": "nope"}'
    assert "url" in letter.error and "source" in letter.error
