"""The pieces behind honest ingest: paywall stubs refused with the reason, 422s in words,
reachability with a grace period, and delivery outcomes that say what was delivered."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from newswire.clean import clean_article
from newswire.clean.article import StubPageError
from newswire.client import DeliveryError
from newswire.client.async_client import _outcomes
from newswire.ingest.broker_watch import BrokerWatch
from newswire.ingest.payload import InvalidArticleError, validate_articles
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.pipeline.errors import SourceRecord
from newswire.pipeline.prepare import prepare


@pytest.mark.parametrize(
    "body",
    [
        "Please subscribe to continue reading.",
        "Budget row deepens\n\nAlready a subscriber? Sign in to continue.",
        "We use cookies. Accept all cookies to continue.",
    ],
)
def test_a_paywall_or_consent_stub_is_dead_lettered_with_the_reason(body: str) -> None:
    with pytest.raises(StubPageError, match="paywall or consent notice"):
        clean_article(body)
    raw = orjson.dumps({"url": "https://example.com/p", "source": "x", "body": body})
    letter = prepare(
        raw, SourceRecord(), trace_id="t", received_at=utcnow(), worker_id="w", max_bytes=10_000
    )
    assert isinstance(letter, DeadLetter)
    assert letter.stage == "clean" and "paywall or consent notice" in letter.error


def test_a_short_article_with_a_continue_reading_link_is_kept() -> None:
    text = "Ministers met in Brussels on Monday to agree a budget.\n\nContinue reading"
    assert clean_article(text).text.startswith("Ministers met")


def test_a_bad_url_is_explained_in_words_without_a_spurious_id_error() -> None:
    with pytest.raises(InvalidArticleError) as caught:
        validate_articles([{"url": "not a url", "source": "x", "body": "b"}])
    [error] = caught.value.errors
    assert error.field == "url"
    assert error.message.startswith("must be an absolute URL such as https://")
    assert "'not a url'" in error.message and "[A-Za-z]" not in error.message


def test_the_broker_counts_as_unreachable_only_after_the_grace_period() -> None:
    now = [0.0]
    watch = BrokerWatch(grace_s=5.0, clock=lambda: now[0])
    watch.failed()
    now[0] = 4.0
    watch.failed()
    assert watch.reachable
    now[0] = 5.5
    assert not watch.reachable
    watch.succeeded()
    assert watch.reachable


async def test_a_half_delivered_batch_says_which_were_delivered() -> None:
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(3)]
    futures[0].set_result("a")
    futures[1].set_exception(ConnectionError("broker gone"))
    futures[2].set_result("c")
    with pytest.raises(DeliveryError, match="1 of 3 articles not delivered") as caught:
        await _outcomes(futures, ["a", "b", "c"])
    assert caught.value.delivered == ["a", "c"]
    assert list(caught.value.failed) == ["b"]
