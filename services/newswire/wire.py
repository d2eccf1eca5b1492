"""The wire format: orjson bodies and CloudEvents (Kafka binary mode) headers.

One module owns serialisation for the whole codebase, so every producer writes the
same bytes and every consumer reads them the same way.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar

import orjson
from pydantic import BaseModel

from newswire.models import (
    DeadLetter,
    DuplicateNotice,
    EnrichedArticle,
    RawArticle,
    StoryUpdate,
)
from newswire.models.events import utcnow
from newswire.models.internal import CleanedArticle, UniqueArticle

CONTENT_TYPE: Final = "application/json"
SPECVERSION: Final = "1.0"
EVENT_TYPES: Final[dict[type[BaseModel], str]] = {
    RawArticle: "io.newswire.article.raw.v1",
    EnrichedArticle: "io.newswire.article.enriched.v2",
    DuplicateNotice: "io.newswire.article.duplicate.v1",
    DeadLetter: "io.newswire.article.deadletter.v1",
    StoryUpdate: "io.newswire.story.update.v1",
    CleanedArticle: "io.newswire.internal.cleaned.v1",
    UniqueArticle: "io.newswire.internal.unique.v1",
}
Headers = list[tuple[str, bytes]]
# W3C Trace Context: 32 lower-case hex digits, not all zero.
_TRACE_ID = re.compile(r"\A(?!0{32})[0-9a-f]{32}\Z")
M = TypeVar("M", bound=BaseModel)


def encode(model: BaseModel) -> bytes:
    """The model as JSON bytes: pydantic's JSON-mode dump serialised by orjson."""
    return orjson.dumps(model.model_dump(mode="json"))


def decode(model_type: type[M], data: bytes) -> M:
    """Parse and strictly validate JSON bytes as `model_type`; raises pydantic's
    ValidationError (which names each bad field) or orjson's JSONDecodeError."""
    return model_type.model_validate_json(data)


def new_trace_id() -> str:
    """A W3C trace id: 32 lower-case hex digits."""
    return secrets.token_hex(16)


def traceparent(trace_id: str) -> str:
    """A W3C `traceparent` value for `trace_id` with a fresh span id."""
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_id_of(headers: Sequence[tuple[str, bytes]] | Mapping[str, bytes] | None) -> str | None:
    """The trace id carried by `ce_traceparent`, if any: only a valid W3C trace id, since it
    is copied into the headers and logs of everything the event causes."""
    value = header(headers, "ce_traceparent")
    if value is None:
        return None
    parts = value.split("-")
    return parts[1] if len(parts) == 4 and _TRACE_ID.match(parts[1]) else None


def header(
    headers: Sequence[tuple[str, bytes]] | Mapping[str, bytes] | None, name: str
) -> str | None:
    """The decoded value of header `name`, or None."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key == name and value is not None:
            return value.decode(errors="replace")
    return None


def cloudevent_headers(
    model: BaseModel, *, event_id: str, source: str, trace_id: str | None = None
) -> Headers:
    """CloudEvents Kafka binary-mode headers for `model`, plus schema name and version."""
    event_type = EVENT_TYPES[type(model)]
    return [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", event_id.encode()),
        ("ce_type", event_type.encode()),
        ("ce_source", source.encode()),
        ("ce_time", utcnow().isoformat().encode()),
        (
            "ce_dataschema",
            f"schemas/{type(model).__name__}.v{getattr(model, 'schema_version', 1)}.json".encode(),
        ),
        ("ce_traceparent", traceparent(trace_id or new_trace_id()).encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]


def source_name(component: str) -> str:
    """The CloudEvents `source` for one newswire component on this host."""
    return f"newswire/{component}/{os.uname().nodename}"


def register_faust_codec() -> None:
    """Register the 'orjson' codec with faust so topics can declare value_serializer='orjson'."""
    from faust.serializers import codecs  # noqa: PLC0415 - faust is heavy; only workers need it

    class OrjsonCodec(codecs.Codec):
        def _dumps(self, obj: Any) -> bytes:
            return orjson.dumps(obj)

        def _loads(self, s: bytes) -> Any:
            return orjson.loads(s)

    codecs.register("orjson", OrjsonCodec())
