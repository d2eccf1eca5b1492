"""Properties of the wire codec: bodies round-trip, headers are well-formed CloudEvents
binary-mode headers, and reading headers never fails on what a broker hands over."""

from __future__ import annotations

import re
from typing import Any

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newswire.models import RawArticle
from newswire.wire import (
    EVENT_TYPES,
    cloudevent_headers,
    decode,
    encode,
    header,
    new_trace_id,
    trace_id_of,
    traceparent,
)
from tests.property.strategies import valid_raw_payloads
from tests.property.test_models import dead_letters, duplicate_notices, enriched_articles

# No deadline and no slowness check: the machine is shared, and speed is not the point here.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TRACE_ID = re.compile(r"\A[0-9a-f]{32}\Z")
TRACEPARENT = re.compile(r"\A00-[0-9a-f]{32}-[0-9a-f]{16}-01\Z")
REQUIRED_HEADERS = {"ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "content-type"}

trace_ids = st.from_regex(TRACE_ID).filter(lambda t: t != "0" * 32)
events = st.one_of(
    valid_raw_payloads().map(lambda p: RawArticle.model_validate_json(orjson.dumps(p))),
    enriched_articles,
    duplicate_notices,
    dead_letters,
)
# Shaped like a traceparent (four dash-separated parts, a 32-character second part) but with
# anything in the parts: what a foreign or broken producer may send.
traceparent_like = st.builds(
    lambda version, trace, span, flags: f"{version}-{trace}-{span}-{flags}".encode(),
    st.text(max_size=3),
    st.text(min_size=32, max_size=32).filter(lambda s: "-" not in s),
    st.text(max_size=17),
    st.text(max_size=3),
).filter(lambda b: b.count(b"-") == 3)
any_headers = st.lists(
    st.tuples(
        st.sampled_from(["ce_traceparent", "ce_id", "ce_type", "other"]) | st.text(max_size=12),
        st.none()
        | st.binary(max_size=80)
        | traceparent_like
        | trace_ids.map(lambda t: traceparent(t).encode()),
    ),
    max_size=6,
)


@FAST
@given(events)
def test_encode_then_decode_is_identity(event: Any) -> None:
    assert decode(type(event), encode(event)) == event


@FAST
@given(events)
def test_encoding_is_stable(event: Any) -> None:
    # A re-published event is byte for byte the event first published.
    assert encode(decode(type(event), encode(event))) == encode(event)


@FAST
@given(
    events,
    st.text(min_size=1, max_size=40),
    st.text(min_size=1, max_size=40),
    st.none() | trace_ids,
)
def test_cloudevent_headers_are_complete_and_carry_the_trace(
    event: Any, event_id: str, source: str, trace_id: str | None
) -> None:
    headers = cloudevent_headers(event, event_id=event_id, source=source, trace_id=trace_id)
    names = [name for name, _ in headers]
    assert len(names) == len(set(names))
    assert set(names) >= REQUIRED_HEADERS
    assert all(isinstance(value, bytes) for _, value in headers)
    assert header(headers, "ce_type") == EVENT_TYPES[type(event)]
    assert header(headers, "ce_id") == event_id
    assert header(headers, "ce_source") == source
    parent = header(headers, "ce_traceparent")
    assert parent is not None and TRACEPARENT.match(parent)
    assert trace_id_of(headers) == (trace_id or trace_id_of(headers))
    if trace_id is not None:
        assert trace_id_of(headers) == trace_id
    # The same headers read as a mapping say the same.
    assert trace_id_of(dict(headers)) == trace_id_of(headers)


@FAST
@given(any_headers)
# Found by this property: any 32 characters were taken as the trace id and copied on.
@example([("ce_traceparent", b"00-" + b"\x00" * 32 + b"-00f067aa0ba902b7-01")])
@example([("ce_traceparent", b"00-" + b"0" * 32 + b"-00f067aa0ba902b7-01")])
@example([("ce_traceparent", b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")])
def test_reading_headers_never_fails_and_yields_a_w3c_trace_id(
    headers: list[tuple[str, bytes | None]],
) -> None:
    found = trace_id_of(headers)  # type: ignore[arg-type]
    assert found is None or TRACE_ID.match(found), found
    for name, _ in headers:
        value = header(headers, name)  # type: ignore[arg-type]
        assert value is None or isinstance(value, str)


@FAST
@given(trace_ids)
def test_traceparent_round_trips_its_trace_id(trace_id: str) -> None:
    assert trace_id_of([("ce_traceparent", traceparent(trace_id).encode())]) == trace_id
    assert TRACE_ID.match(new_trace_id())
