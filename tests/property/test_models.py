"""Properties of the event models: the raw article's validator agrees with its published
JSON Schema, and every event survives a trip through its JSON bytes unchanged."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError as ValidationError_
from pydantic import ValidationError

from newswire.models import (
    CountryTag,
    DeadLetter,
    DuplicateNotice,
    EnrichedArticle,
    EntityTag,
    Evidence,
    Mention,
    ProcessingInfo,
    RawArticle,
    StoryInfo,
)
from tests.property.strategies import (
    aware_datetimes,
    raw_payloads,
    valid_ids,
    valid_raw_payloads,
    valid_urls,
)
from tests.support.schemas import validator

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON Schema patterns are ECMA-262 regular expressions, in which `$` matches only at the
# very end; Python's `re` (which the jsonschema package uses) also lets it match before a
# final newline. The models follow ECMA-262, so the schema is checked the same way here.
_RFC3339 = re.compile(
    r"\A\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)\Z", re.ASCII
)


def _ecma_pattern(checker: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if isinstance(instance, str):
        anchored = pattern.replace("$", r"\Z")
        if re.search(anchored, instance) is None:
            yield ValidationError_(f"{instance!r} does not match {pattern!r}")


def _date_time(checker: Any, fmt: str, instance: Any, schema: Any) -> Any:
    if fmt == "date-time" and isinstance(instance, str) and not _RFC3339.match(instance):
        yield ValidationError_(f"{instance!r} is not an RFC 3339 date-time")


StrictSchemaValidator = validators.extend(
    Draft202012Validator, {"pattern": _ecma_pattern, "format": _date_time}
)


def schema_accepts(payload: dict[str, Any]) -> bool:
    """Whether the published RawArticle schema accepts `payload` (patterns and date-times
    checked as the JSON Schema specification defines them)."""
    schema = validator("RawArticle").schema
    return StrictSchemaValidator(schema).is_valid(payload)


def model_accepts(payload: dict[str, Any]) -> bool:
    try:
        RawArticle.model_validate_json(orjson.dumps(payload))
    except ValidationError:
        return False
    return True


@FAST
@given(raw_payloads())
def test_raw_article_accepts_exactly_what_its_schema_accepts(payload: dict[str, Any]) -> None:
    assert model_accepts(payload) == schema_accepts(payload), payload


# Found by the property above: pydantic alone takes more for a date-time than the
# schema's RFC 3339 says (models/timestamps.py closes the gap).
@pytest.mark.parametrize(
    "value", ["0", "1700000000", "1.5", "2024-01-01 00:00:00Z", "2024-01-01T00:00Z"]
)
def test_fetched_at_takes_only_rfc3339_date_times(value: str) -> None:
    payload = {"url": "https://a.example/x", "source": "s", "body": "b", "fetched_at": value}
    assert not schema_accepts(payload)
    assert not model_accepts(payload)


@FAST
@given(valid_raw_payloads())
def test_valid_raw_articles_are_accepted_by_model_and_schema(payload: dict[str, Any]) -> None:
    assert model_accepts(payload)
    assert schema_accepts(payload)


@FAST
@given(valid_raw_payloads())
def test_raw_article_round_trips_through_json(payload: dict[str, Any]) -> None:
    article = RawArticle.model_validate_json(orjson.dumps(payload))
    again = RawArticle.model_validate_json(orjson.dumps(article.model_dump(mode="json")))
    assert again == article
    # What is published validates against the published schema too.
    assert schema_accepts(article.model_dump(mode="json"))


# --- the published events ------------------------------------------------------------

words = st.text(min_size=1, max_size=30)
scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
codes = st.from_regex(r"\A[A-Z]{2}\Z")
counts = st.integers(min_value=1, max_value=10_000)
offsets_ = st.integers(min_value=0, max_value=100_000)

evidence = st.builds(
    Evidence,
    start=offsets_,
    end=offsets_,
    surface=words,
    kind=st.sampled_from(["name", "demonym", "place", "institution"]),
)
country_tags = st.builds(
    CountryTag,
    code=codes,
    name=words,
    count=counts,
    salience=scores,
    evidence=st.lists(evidence, max_size=3),
)
entity_tags = st.builds(
    EntityTag,
    name=words,
    kind=st.sampled_from(["person", "org", "place"]),
    count=counts,
    country=st.none() | codes,
    mentions=st.lists(st.builds(Mention, start=offsets_, end=offsets_, surface=words), max_size=3),
)
enriched_articles = st.builds(
    EnrichedArticle,
    id=valid_ids,
    revision=st.integers(min_value=1, max_value=50),
    url=valid_urls,
    source=words,
    title=st.none() | st.text(max_size=60),
    text=st.text(max_size=300),
    language=st.none() | st.sampled_from(["en", "de", "ru"]),
    language_score=st.none() | scores,
    published_at=st.none() | aware_datetimes,
    fetched_at=aware_datetimes,
    scraper_id=words,
    metadata=st.dictionaries(
        st.text(max_size=8),
        st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
        max_size=3,
    ),
    story=st.builds(
        StoryInfo,
        story_id=valid_ids,
        similarity=st.none() | scores,
        content_hash=words,
        canonical_url=words,
    ),
    countries=st.lists(country_tags, max_size=3),
    primary_country=st.none() | codes,
    entities=st.lists(entity_tags, max_size=3),
    processing=st.builds(
        ProcessingInfo,
        worker_id=words,
        newswire_version=words,
        received_at=aware_datetimes,
        processed_at=aware_datetimes,
        stages_ms=st.dictionaries(words, st.floats(0, 1e6), max_size=4),
        ner_model=st.none() | words,
    ),
)
duplicate_notices = st.builds(
    DuplicateNotice,
    id=valid_ids,
    url=valid_urls,
    source=words,
    original_id=valid_ids,
    original_url=st.none() | valid_urls,
    method=st.sampled_from(["url", "content_hash", "minhash"]),
    score=scores,
    detected_at=aware_datetimes,
)
dead_letters = st.builds(
    DeadLetter,
    stage=st.sampled_from(["ingest", "decode", "validate", "clean", "dedup", "tag", "publish"]),
    error=st.text(max_size=60),
    error_type=words,
    original=st.binary(max_size=200),
    original_key=st.none() | st.binary(max_size=20),
    original_topic=st.none() | words,
    original_partition=st.none() | st.integers(0, 1000),
    original_offset=st.none() | st.integers(0, 2**62),
    article_id=st.none() | words,
    failed_at=aware_datetimes,
    worker_id=words,
)


@pytest.mark.parametrize(
    "events",
    [enriched_articles, duplicate_notices, dead_letters],
    ids=["EnrichedArticle", "DuplicateNotice", "DeadLetter"],
)
def test_published_events_round_trip_and_match_their_schema(
    events: st.SearchStrategy[Any],
) -> None:
    @FAST
    @given(events)
    def check(event: Any) -> None:
        data = orjson.dumps(event.model_dump(mode="json"))
        assert type(event).model_validate_json(data) == event
        assert StrictSchemaValidator(validator(type(event).__name__).schema).is_valid(
            orjson.loads(data)
        )

    check()
