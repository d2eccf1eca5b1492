"""The asyncio client: validation in front of the shared idempotent producer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from newswire.config import Settings
from newswire.ingest.payload import validate_article, validate_articles
from newswire.ingest.producer import ArticleProducer
from newswire.models import RawArticle
from newswire.pipeline.errors import SourceRecord, dead_letter

ArticleLike = RawArticle | Mapping[str, Any]


def client_settings(settings: Settings | None, bootstrap_servers: str | None) -> Settings:
    """Settings for a client: the given ones, or the environment's, with `bootstrap_servers`
    (when given) as the broker address."""
    base = settings if settings is not None else Settings()
    if bootstrap_servers is None:
        return base
    return base.model_copy(update={"bootstrap_servers": bootstrap_servers})


class AsyncClient:
    """Publishes raw articles to newswire from asyncio code.

    `publish` waits for the broker's acknowledgement; `submit` only queues (and waits while
    `max_in_flight` sends are unacknowledged) and returns a future of the id, so a scraper
    can keep fetching while the producer batches; `flush` waits for everything submitted."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        bootstrap_servers: str | None = None,
        max_in_flight: int = 1000,
        component: str = "client",
    ) -> None:
        self.settings = client_settings(settings, bootstrap_servers)
        self._component = component
        self._producer = ArticleProducer(
            self.settings, component=component, max_in_flight=max_in_flight
        )
        self._pending: set[asyncio.Future[str]] = set()

    async def start(self) -> None:
        """Connect to the broker."""
        await self._producer.start()

    async def close(self) -> None:
        """Wait for what was submitted, then disconnect."""
        try:
            await self.flush()
        finally:
            await self._producer.stop()

    async def __aenter__(self) -> AsyncClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def submit(
        self, article: ArticleLike, trace_id: str | None = None
    ) -> asyncio.Future[str]:
        """Validate and queue `article`; the returned future resolves to its id once the broker
        has it. Raises InvalidArticleError at once for an invalid article."""
        valid = validate_article(article, max_bytes=self.settings.max_article_bytes)
        return await self._queue(valid, trace_id)

    async def _queue(self, valid: RawArticle, trace_id: str | None = None) -> asyncio.Future[str]:
        # `valid` has been validated (schema and size) by the caller.
        delivery = await self._producer.send(valid, trace_id)
        result: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def done(sent: asyncio.Future[object]) -> None:
            self._pending.discard(result)
            if result.done():
                return
            if sent.cancelled():
                result.cancel()
            elif (error := sent.exception()) is not None:
                result.set_exception(error)
            else:
                result.set_result(valid.id)

        self._pending.add(result)
        delivery.add_done_callback(done)
        return result

    async def publish(self, article: ArticleLike, trace_id: str | None = None) -> str:
        """Publish one article and wait for the broker; returns its id."""
        return await (await self.submit(article, trace_id))

    async def publish_many(self, articles: Iterable[ArticleLike]) -> list[str]:
        """Publish a batch: all are validated first (none is sent if any is invalid), then
        sent together; returns their ids in order once the broker has every one."""
        valid = validate_articles(articles, max_bytes=self.settings.max_article_bytes)
        futures = [await self._queue(article) for article in valid]
        return list(await asyncio.gather(*futures))

    async def dead_letter(
        self, original: bytes, error: BaseException, *, stage: str = "ingest"
    ) -> None:
        """Keep input this client refused (`original`, refused for `error`) on the dead-letter
        topic, with the reason, for a later fix and replay."""
        letter = dead_letter(stage, error, original, SourceRecord(), worker_id=self._component)
        await self._producer.send_dead_letter(letter)

    async def flush(self) -> None:
        """Wait until every submitted article is acknowledged (or failed)."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
