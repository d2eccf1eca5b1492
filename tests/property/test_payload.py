"""Properties of the payload validator every way in uses: it judges exactly as the worker's
strict JSON validation does, refuses a batch whole, names each bad item, and never raises
anything but its own error, whatever a client sends."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.ingest.payload import (
    InvalidArticleError,
    parse_json_payload,
    parse_ndjson_payload,
    validate_article,
    validate_articles,
)
from newswire.wire import encode
from tests.property.strategies import raw_payloads
from tests.property.test_models import model_accepts

# No deadline and no slowness check: the machine is shared, and speed is not the point here.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# What a Python caller may hand the client: JSON values and things JSON cannot hold.
python_values = json_values | st.sampled_from(
    [object(), b"bytes", {1, 2}, (1, 2), datetime(2024, 1, 1, tzinfo=UTC), 2**70, float("nan")]
)
items = (
    raw_payloads()
    | st.dictionaries(st.text(max_size=10), python_values, max_size=5)
    | python_values
)


@FAST
@given(raw_payloads())
def test_accepts_exactly_what_the_worker_accepts(payload: dict[str, Any]) -> None:
    try:
        validate_article(payload)
    except InvalidArticleError:
        accepted = False
    else:
        accepted = True
    assert accepted == model_accepts(payload)


@FAST
@given(items)
def test_never_raises_anything_but_its_own_error(item: Any) -> None:
    try:
        validate_article(item, index=3)
    except InvalidArticleError as exc:
        assert exc.errors
        assert all(error.index == 3 and error.field and error.message for error in exc.errors)


@FAST
@given(st.lists(raw_payloads(), max_size=6), st.integers(min_value=300, max_value=3000))
def test_a_batch_is_accepted_whole_or_refused_naming_exactly_the_bad_items(
    batch: list[dict[str, Any]], max_bytes: int
) -> None:
    bad = set()
    for index, payload in enumerate(batch):
        try:
            validate_article(payload, index, max_bytes)
        except InvalidArticleError:
            bad.add(index)
    try:
        articles = validate_articles(batch, max_bytes)
    except InvalidArticleError as exc:
        assert bad
        assert {error.index for error in exc.errors} == bad
    else:
        assert not bad
        assert len(articles) == len(batch)
        assert all(len(encode(article)) <= max_bytes for article in articles)


@FAST
@given(json_values)
def test_a_json_body_always_gives_a_list_of_items(value: Any) -> None:
    parsed = parse_json_payload(orjson.dumps(value))
    assert isinstance(parsed, list)
    if isinstance(value, list):
        assert parsed == value


@FAST
@given(st.lists(json_values, max_size=6), st.sampled_from([b"\n", b"\r\n", b"\n\n"]))
def test_json_lines_give_back_every_value_in_order(values: list[Any], newline: bytes) -> None:
    body = newline.join(orjson.dumps(v) for v in values)
    assert parse_ndjson_payload(body) == values


@FAST
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_parsed_or_refused_with_a_value_error(body: bytes) -> None:
    for parse in (parse_json_payload, parse_ndjson_payload):
        with contextlib.suppress(ValueError):
            parse(body)


# Found by writing these properties: orjson writes NaN and infinities as null, so the value
# a scraper gave would be silently replaced rather than refused.
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_in_metadata_are_refused_not_sent_as_null(value: float) -> None:
    with pytest.raises(InvalidArticleError):
        validate_article(
            {"url": "https://a.example/x", "source": "s", "body": "b", "metadata": {"score": value}}
        )
