"""A real Scrapy crawl, with newswire's item pipeline enabled by one setting, publishes its
items to the raw topic (and the item it cannot use to the dead-letter topic)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from newswire.config import Settings
from newswire.models import DeadLetter, RawArticle
from newswire.subscribe.reader import read_until
from newswire.topics import DEADLETTER, RAW, topic_name
from tests.support.schemas import validator

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SPIDER = textwrap.dedent(
    """
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class NewsSpider(scrapy.Spider):
        name = "local-news"
        start_urls = [sys.argv[1] + "/index.html"]

        def parse(self, response):
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, self.parse_story)

        def parse_story(self, response):
            yield {
                "url": response.url,
                "title": response.css("h1::text").get(),
                "html": response.text,
                "section": response.css("article::attr(data-section)").get(),
            }
            if response.url.endswith("story-1.html"):
                yield {"title": "an item without a URL or body"}

    process = CrawlerProcess(settings={
        "ITEM_PIPELINES": {"newswire.ingest.scrapy_pipeline.NewswirePipeline": 800},
        "LOG_LEVEL": "INFO",
        "ROBOTSTXT_OBEY": False,
    })
    process.crawl(NewsSpider)
    process.start()
    """
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "site"
    root.mkdir()
    links = []
    for n in range(1, 4):
        (root / f"story-{n}.html").write_text(
            f"<html><body><nav>Home | World</nav><article data-section='world'>"
            f"<h1>Story {n}</h1><p>Officials in Amman said on Monday that talks on story {n} "
            f"would resume next week.</p></article></body></html>"
        )
        links.append(f"<a href='story-{n}.html'>{n}</a>")
    (root / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_scrapy_spider_feeds_newswire_with_one_setting(
    topics: Settings, site: str, tmp_path: Path
) -> None:
    script = tmp_path / "spider.py"
    script.write_text(SPIDER)
    env = {
        **os.environ,
        "NEWSWIRE_BOOTSTRAP_SERVERS": topics.kafka_bootstrap,
        "NEWSWIRE_TOPIC_PREFIX": topics.topic_prefix,
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    crawl = subprocess.run(
        [sys.executable, str(script), site],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "newswire: 3 items published, 0 not delivered, 1 refused" in crawl.stderr

    raw = asyncio.run(read_until(topics.kafka_bootstrap, topic_name(topics, RAW), 3, timeout_s=20))
    articles = [RawArticle.model_validate_json(m.value) for m in raw]
    for message in raw:
        validator("RawArticle").validate(orjson.loads(message.value))
    assert sorted(a.title or "" for a in articles) == ["Story 1", "Story 2", "Story 3"]
    assert {a.body_format for a in articles} == {"html"}
    assert {a.scraper_id for a in articles} == {"scrapy:local-news"}
    assert {a.metadata["section"] for a in articles} == {"world"}

    [letter_message] = asyncio.run(
        read_until(topics.kafka_bootstrap, topic_name(topics, DEADLETTER), 1, timeout_s=20)
    )
    letter = DeadLetter.model_validate_json(letter_message.value)
    assert letter.stage == "ingest"
    assert "url" in letter.error
    assert b"an item without a URL" in letter.original
