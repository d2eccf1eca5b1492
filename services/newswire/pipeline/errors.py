"""Turns failures into dead letters that say what was wrong, field by field."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from newswire.ingest.payload import InvalidArticleError
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.redact import scrub, validation_reason


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """Where a message came from, kept for its dead letter."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None


def describe_error(exc: BaseException) -> str:
    """A readable reason: for validation errors, each bad field with why it is bad."""
    if isinstance(exc, ValidationError):
        return validation_reason(exc)  # the field and the rule, never the value
    if isinstance(exc, InvalidArticleError):
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors[:10])
    if isinstance(exc, orjson.JSONDecodeError):
        return f"not valid JSON: {exc}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text: {exc.reason} at byte {exc.start}"
    return scrub(str(exc)) or type(exc).__name__


def dead_letter(
    stage: str,
    exc: BaseException,
    original: bytes,
    source: SourceRecord,
    worker_id: str,
    article_id: str | None = None,
) -> DeadLetter:
    """The dead letter for `original`, which failed at `stage` with `exc`."""
    return DeadLetter(
        stage=stage,  # type: ignore[arg-type]
        error=describe_error(exc),
        error_type=type(exc).__name__,
        original=original,
        original_key=source.key,
        original_topic=source.topic,
        original_partition=source.partition,
        original_offset=source.offset,
        article_id=article_id,
        failed_at=utcnow(),
        worker_id=worker_id,
    )
