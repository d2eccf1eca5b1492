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


class DeliveryError(Exception):
    """Some articles were not acknowledged by the broker. `delivered` lists the ids the broker
    has, `failed` maps the others to why. Ids are stable, so sending the same articles again
    is safe: what was delivered already comes out once, as a duplicate notice at most."""

    def __init__(self, delivered: list[str], failed: dict[str, BaseException]) -> None:
        self.delivered = delivered
        self.failed = failed
        first = next(iter(failed.values()))
        super().__init__(
            f"{len(failed)} of {len(delivered) + len(failed)} articles not delivered "
            f"({type(first).__name__}: {first}); sending them again is safe (same ids)"
        )


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
        # Each submitted article's outcome, until it is known, with its id.
        self._pending: dict[asyncio.Future[str], str] = {}

    async def start(self) -> None:
        """Connect to the broker."""
        await self._producer.start()

    async def broker_answers(self) -> bool:
        """Whether the broker answers a metadata request now (for health checks)."""
        return await self._producer.broker_answers()

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
            self._pending.pop(result, None)
            if result.done():
                return
            if sent.cancelled():
                result.cancel()
            elif (error := sent.exception()) is not None:
                result.set_exception(error)
            else:
                result.set_result(valid.id)

        self._pending[result] = valid.id
        delivery.add_done_callback(done)
        return result

    async def publish(self, article: ArticleLike, trace_id: str | None = None) -> str:
        """Publish one article and wait for the broker; returns its id."""
        return await (await self.submit(article, trace_id))

    async def publish_many(self, articles: Iterable[ArticleLike]) -> list[str]:
        """Publish a batch: all are validated first (none is sent if any is invalid), then
        sent together; returns their ids in order once the broker has every one. Raises
        DeliveryError, saying which were delivered, when some were not (safe to retry)."""
        valid = validate_articles(articles, max_bytes=self.settings.max_article_bytes)
        futures = [await self._queue(article) for article in valid]
        return await _outcomes(futures, [article.id for article in valid])

    async def dead_letter(
        self, original: bytes, error: BaseException, *, stage: str = "ingest"
    ) -> None:
        """Keep input this client refused (`original`, refused for `error`) on the dead-letter
        topic, with the reason, for a later fix and replay."""
        letter = dead_letter(stage, error, original, SourceRecord(), worker_id=self._component)
        await self._producer.send_dead_letter(letter)

    async def flush(self) -> None:
        """Wait until every submitted article is acknowledged or failed; raises DeliveryError
        naming those that failed (their futures carry the same error)."""
        if self._pending:
            pending = dict(self._pending)
            await _outcomes(list(pending), list(pending.values()))


async def _outcomes(futures: list[asyncio.Future[str]], ids: list[str]) -> list[str]:
    """The ids of `futures` once all are done; DeliveryError if any failed."""
    results = await asyncio.gather(*futures, return_exceptions=True)
    failed = {i: r for i, r in zip(ids, results, strict=True) if isinstance(r, BaseException)}
    if failed:
        raise DeliveryError([i for i in ids if i not in failed], failed)
    return [r for r in results if isinstance(r, str)]
