"""The one Kafka producer every way in uses: idempotent, acks=all, bounded in flight."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from newswire.config import Settings
from newswire.connection import client_options
from newswire.models import DeadLetter, RawArticle
from newswire.topics import DEADLETTER, RAW, dead_letter_max_bytes, topic_name
from newswire.wire import cloudevent_headers, encode, new_trace_id, source_name


class ArticleProducer:
    """Publishes raw articles to `news.articles.raw`, keyed by article id.

    At most `max_in_flight` sends wait for the broker at once; further sends wait for a
    slot, which is the back-pressure a slow broker puts on a fast scraper."""

    def __init__(
        self, settings: Settings, *, component: str = "producer", max_in_flight: int = 1000
    ) -> None:
        self._settings = settings
        self._topic = topic_name(settings, RAW)
        self._source = source_name(component)
        self._slots = asyncio.Semaphore(max_in_flight)
        self._producer = AIOKafkaProducer(
            **client_options(settings),
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_batch_size=256 * 1024,
            max_request_size=dead_letter_max_bytes(settings),
            compression_type=None,
        )

    async def start(self) -> None:
        """Connect to the broker; on failure, release what was opened and raise."""
        try:
            await self._producer.start()
        except BaseException:
            await self._producer.stop()
            raise

    async def broker_answers(self) -> bool:
        """Whether a broker of the cluster answers a metadata request now."""
        try:
            await self._producer.client.fetch_all_metadata()
        except (KafkaError, OSError):
            return False
        return True

    async def stop(self) -> None:
        """Flush what is pending and disconnect."""
        await self._producer.stop()

    async def send(
        self, article: RawArticle, trace_id: str | None = None
    ) -> asyncio.Future[object]:
        """Queue `article`; returns a future that resolves once the broker has it. Waits
        first while too many sends are in flight."""
        await self._slots.acquire()
        try:
            future = await self._producer.send(
                self._topic,
                key=article.id.encode(),
                value=encode(article),
                headers=cloudevent_headers(
                    article,
                    event_id=article.id,
                    source=self._source,
                    trace_id=trace_id or new_trace_id(),
                ),
            )
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future  # type: ignore[no-any-return]

    async def send_dead_letter(self, letter: DeadLetter) -> None:
        """Publish `letter` to the dead-letter topic and wait for the broker: input refused
        before it reached the raw topic is kept there, with its reason, like any other."""
        key = letter.article_id or "ingest"
        await self._producer.send_and_wait(
            topic_name(self._settings, DEADLETTER),
            key=key.encode(),
            value=encode(letter),
            headers=cloudevent_headers(
                letter, event_id=f"{key}:DeadLetter", source=self._source, trace_id=None
            ),
        )
