"""What scrapers send becomes valid raw articles, or errors naming the item and field."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from newswire.ingest.payload import (
    InvalidArticleError,
    parse_json_payload,
    parse_ndjson_payload,
    validate_article,
    validate_articles,
)
from newswire.ingest.scrapy_pipeline import item_to_article
from newswire.models import RawArticle
from newswire.pipeline.errors import describe_error

GOOD = {"url": "https://example.com/a", "source": "Example", "body": "Some text."}


def test_a_mapping_becomes_a_raw_article_with_an_id_from_its_url() -> None:
    article = validate_article({**GOOD, "published_at": "2026-11-01T10:00:00Z"})
    assert isinstance(article, RawArticle)
    assert len(article.id) == 16
    assert article.published_at == datetime(2026, 11, 1, 10, tzinfo=UTC)


def test_python_datetimes_are_accepted_but_naive_ones_are_not() -> None:
    ok = validate_article({**GOOD, "published_at": datetime(2026, 1, 1, tzinfo=UTC)})
    assert ok.published_at is not None
    with pytest.raises(InvalidArticleError) as caught:
        validate_article({**GOOD, "published_at": datetime(2026, 1, 1)})  # noqa: DTZ001
    assert caught.value.errors[0].field == "published_at"


def test_errors_name_every_bad_field_of_every_bad_item() -> None:
    with pytest.raises(InvalidArticleError) as caught:
        validate_articles([GOOD, {"url": "https://x.org/1", "title": 42}, "not an object"])
    fields = {(e.index, e.field) for e in caught.value.errors}
    assert {(1, "title"), (1, "source"), (1, "body"), (2, "(article)")} <= fields
    assert (0, "url") not in fields
    assert "source" in describe_error(caught.value)


def test_strings_are_not_coerced_from_numbers() -> None:
    with pytest.raises(InvalidArticleError, match="source"):
        validate_article({**GOOD, "source": 7})


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (orjson.dumps(GOOD), 1),
        (orjson.dumps([GOOD, GOOD]), 2),
        (orjson.dumps({"articles": [GOOD, GOOD, GOOD]}), 3),
    ],
)
def test_json_payloads_hold_one_article_or_a_batch(body: bytes, count: int) -> None:
    assert len(parse_json_payload(body)) == count


def test_json_lines_payloads_skip_blank_lines_and_name_bad_ones() -> None:
    assert len(parse_ndjson_payload(orjson.dumps(GOOD) + b"\n\n" + orjson.dumps(GOOD))) == 2
    with pytest.raises(ValueError, match="line 2"):
        parse_ndjson_payload(orjson.dumps(GOOD) + b"\n{oops")


def test_scrapy_items_map_to_articles_with_extra_fields_as_metadata() -> None:
    article = item_to_article(
        {
            "url": "https://news.example.org/2026/story",
            "title": ["A headline"],
            "html": "<p>Body</p>",
            "section": "world",
            "published_at": datetime(2026, 11, 2, tzinfo=UTC),
        },
        spider_name="example",
    )
    assert article.body_format == "html"
    assert article.title == "A headline"
    assert article.source == "news.example.org"
    assert article.scraper_id == "scrapy:example"
    assert article.metadata == {"section": "world"}


def test_scrapy_items_without_a_url_are_refused_naming_it() -> None:
    with pytest.raises(InvalidArticleError) as caught:
        item_to_article({"text": "words"}, spider_name="s", source="Outlet")
    assert "url" in {e.field for e in caught.value.errors}


def test_an_article_larger_than_the_worker_allows_is_refused_up_front() -> None:
    big = {**GOOD, "body": "x" * 5000}
    assert validate_article(big, max_bytes=10_000).body == "x" * 5000
    with pytest.raises(InvalidArticleError) as caught:
        validate_articles([GOOD, big], max_bytes=4096)
    [error] = caught.value.errors
    assert (error.index, error.field, error.type) == (1, "body", "too_large")


def test_metadata_nested_too_deep_for_json_is_refused_not_a_crash() -> None:
    deep: object = 1
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(InvalidArticleError) as caught:
        validate_article({"url": "https://a.example/x", "source": "s", "body": "b", "x": deep})
    assert caught.value.errors[0].type == "json_depth"
