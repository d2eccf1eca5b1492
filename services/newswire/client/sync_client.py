"""The blocking client: an AsyncClient driven by an event loop on a background thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from newswire.client.async_client import ArticleLike, AsyncClient
from newswire.config import Settings

T = TypeVar("T")


class Client:
    """Publishes raw articles from ordinary (threaded or single-threaded) code.

    Safe to call from several threads. `submit` returns a concurrent future of the id and
    blocks only while too many sends are in flight; `publish` and `publish_many` block until
    the broker acknowledges."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        bootstrap_servers: str | None = None,
        max_in_flight: int = 1000,
        component: str = "client",
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="newswire-client", daemon=True
        )
        self._thread.start()
        self._closed = False

        async def build() -> AsyncClient:
            # The producer binds to the running loop, so it is made on the client's thread.
            client = AsyncClient(
                settings,
                bootstrap_servers=bootstrap_servers,
                max_in_flight=max_in_flight,
                component=component,
            )
            await client.start()
            return client

        try:
            self._client = self._run(build())
        except BaseException:
            self._stop_loop()
            raise

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def submit(self, article: ArticleLike) -> Future[str]:
        """Validate and queue `article`; the future resolves to its id once the broker has it.
        Raises InvalidArticleError at once for an invalid article."""
        queued = self._run(self._client.submit(article))
        result: Future[str] = Future()

        def relay(done: asyncio.Future[str]) -> None:
            if done.cancelled():
                result.cancel()
            elif (error := done.exception()) is not None:
                result.set_exception(error)
            else:
                result.set_result(done.result())

        self._loop.call_soon_threadsafe(queued.add_done_callback, relay)
        return result

    def publish(self, article: ArticleLike) -> str:
        """Publish one article and wait for the broker; returns its id."""
        return self._run(self._client.publish(article))

    def publish_many(self, articles: Iterable[ArticleLike]) -> list[str]:
        """Publish a batch (validated whole first) and wait; returns the ids in order."""
        return self._run(self._client.publish_many(list(articles)))

    def dead_letter(self, original: bytes, error: BaseException, *, stage: str = "ingest") -> None:
        """Keep refused input on the dead-letter topic with the reason (blocks until kept)."""
        self._run(self._client.dead_letter(original, error, stage=stage))

    def flush(self) -> None:
        """Block until every submitted article is acknowledged."""
        self._run(self._client.flush())

    def close(self) -> None:
        """Flush, disconnect and stop the background loop. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._run(self._client.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
