"""A Scrapy item pipeline that publishes scraped items to newswire. One setting enables it:

    ITEM_PIPELINES = {"newswire.ingest.scrapy_pipeline.NewswirePipeline": 800}

Optional Scrapy settings: NEWSWIRE_BOOTSTRAP_SERVERS (else the environment's newswire
settings), NEWSWIRE_SOURCE (the outlet name; else the item's `source`, else the URL's host).
Items are mapped by `item_to_article`; an item that is not a valid article is dropped with
the reason in Scrapy's log and sent to the dead-letter topic, so nothing is lost. `published`
counts items only once the broker has acknowledged them; `failed` counts those it did not
(logged with the reason; the spider's close reports both)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from newswire.client import Client, DeliveryError, InvalidArticleError
from newswire.config import Settings
from newswire.ingest.payload import validate_article
from newswire.models import RawArticle

log = logging.getLogger("newswire.scrapy")

BODY_FIELDS = (("body", None), ("text", "text"), ("content", None), ("html", "html"))
ARTICLE_FIELDS = {
    "id", "url", "source", "title", "body", "body_format", "language", "published_at",
    "fetched_at", "scraper_id", "metadata",
}  # fmt: skip
# Item fields read into the article itself; every other field becomes metadata.
_MAPPED_FIELDS = ARTICLE_FIELDS | {name for name, _ in BODY_FIELDS} | {"outlet"}


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple) and len(value) == 1:
        return _scalar(value[0])
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def item_to_article(
    item: Mapping[str, Any], *, spider_name: str, source: str | None = None
) -> RawArticle:
    """A raw article from a scraped item. Reads `url`, `title`, the body from `body`, `text`,
    `content` or `html` (HTML when the field is `html`), `source` or `outlet`, `language`,
    `published_at` and `id` when present; other scalar fields become metadata. Raises
    InvalidArticleError naming the field that is missing or wrong."""
    data: dict[str, Any] = {}
    for name, body_format in BODY_FIELDS:
        if item.get(name):
            data["body"] = _scalar(item[name])
            if body_format is not None:
                data["body_format"] = body_format
            break
    for name in ("id", "url", "title", "language", "published_at", "fetched_at", "body_format"):
        if item.get(name) is not None:
            data.setdefault(name, _scalar(item[name]))
    url = str(data.get("url", ""))
    data["source"] = (
        source or _scalar(item.get("source") or item.get("outlet")) or urlsplit(url).hostname
    )
    data["scraper_id"] = f"scrapy:{spider_name}"
    extra = {key: _scalar(value) for key, value in item.items() if key not in _MAPPED_FIELDS}
    metadata = dict(item.get("metadata") or {})
    data["metadata"] = {**extra, **{k: _scalar(v) for k, v in metadata.items()}}
    return validate_article(data)


class NewswirePipeline:
    """Publishes every item to newswire's raw topic and leaves the item unchanged."""

    def __init__(self, settings: Settings, source: str | None, crawler: Any = None) -> None:
        self._settings = settings
        self._source = source
        self._crawler = crawler
        self._client: Client | None = None
        self._counts = threading.Lock()  # deliveries are reported on the client's thread
        self.published = 0
        self.failed = 0
        self.refused = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> NewswirePipeline:
        """Scrapy's constructor hook: reads the NEWSWIRE_* Scrapy settings."""
        settings = Settings()
        bootstrap = crawler.settings.get("NEWSWIRE_BOOTSTRAP_SERVERS")
        if bootstrap:
            settings = settings.model_copy(update={"bootstrap_servers": bootstrap})
        return cls(settings, crawler.settings.get("NEWSWIRE_SOURCE"), crawler)

    def _spider_name(self, spider: Any) -> str:
        # Scrapy 2.13+ stops passing the spider to pipeline methods; the crawler has it.
        spider = spider or getattr(self._crawler, "spider", None)
        return str(getattr(spider, "name", None) or "spider")

    def open_spider(self, spider: Any = None) -> None:
        """Connect to the broker when the spider opens."""
        self._client = Client(self._settings, component="scrapy")

    def close_spider(self, spider: Any = None) -> None:
        """Wait until the broker has every item, then disconnect."""
        if self._client is not None:
            try:
                self._client.close()
            except DeliveryError as exc:
                log.error("newswire: %s", exc)  # noqa: TRY400 - the reason is the message
            finally:
                self._client = None
        log.info(
            "newswire: %d items published, %d not delivered, %d refused (spider %s)",
            self.published,
            self.failed,
            self.refused,
            self._spider_name(spider),
        )

    def _delivered(self, outcome: Future[str]) -> None:
        """Count an item once the broker has acknowledged it (or failed to)."""
        error = outcome.exception()
        with self._counts:
            if error is None:
                self.published += 1
            else:
                self.failed += 1
        if error is not None:
            log.error("newswire: an item was not delivered: %s", error)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Publish `item` (back-pressure may block here while the broker catches up)."""
        from itemadapter import ItemAdapter  # noqa: PLC0415 - Scrapy's own dependency
        from scrapy.exceptions import DropItem  # noqa: PLC0415

        assert self._client is not None, "open_spider was not called"  # noqa: S101
        data = ItemAdapter(item).asdict()
        name = self._spider_name(spider)
        try:
            # The client checks the worker's size limit as it queues.
            delivery = self._client.submit(
                item_to_article(data, spider_name=name, source=self._source)
            )
        except InvalidArticleError as exc:
            self.refused += 1
            self._client.dead_letter(orjson.dumps(data, default=str), exc, stage="ingest")
            raise DropItem(f"newswire refused the item: {exc}") from exc
        delivery.add_done_callback(self._delivered)
        return item
