"""Stage 1: decode and validate a raw event, clean it, detect its language, fingerprint it."""

from __future__ import annotations

import time
from datetime import datetime

from newswire.clean import canonical_url, clean_article
from newswire.clean.language import detect_language
from newswire.dedup import content_hash, fingerprint
from newswire.models import DeadLetter, RawArticle
from newswire.models.internal import ArticleHeader, CleanedArticle
from newswire.pipeline.errors import SourceRecord, dead_letter
from newswire.wire import decode


class OversizedError(ValueError):
    """The message is larger than the configured limit."""


def check_envelope(original: bytes, max_bytes: int) -> None:
    """Raise ValueError unless `original` is non-empty UTF-8 of at most `max_bytes`."""
    if not original:
        raise ValueError("empty message")
    if len(original) > max_bytes:
        raise OversizedError(f"message of {len(original)} bytes exceeds the {max_bytes}-byte limit")
    original.decode("utf-8")


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


def prepare(
    value: bytes | None,
    source: SourceRecord,
    *,
    trace_id: str,
    received_at: datetime,
    worker_id: str,
    max_bytes: int,
) -> CleanedArticle | DeadLetter:
    """The cleaned, fingerprinted article for raw message `value`, or the dead letter that
    says why it could not be (stage 'decode', 'validate' or 'clean'). Never raises."""
    original = value or b""
    started = time.perf_counter()
    try:
        check_envelope(original, max_bytes)
    except ValueError as exc:
        return dead_letter("decode", exc, original, source=source, worker_id=worker_id)
    try:
        raw = decode(RawArticle, original)
    except ValueError as exc:  # pydantic's ValidationError and orjson's JSONDecodeError both are
        stage = "validate" if original.lstrip()[:1] in (b"{", b"[") else "decode"
        return dead_letter(stage, exc, original, source=source, worker_id=worker_id)
    stages = {"decode": _ms_since(started)}
    try:
        started = time.perf_counter()
        cleaned = clean_article(raw.body, raw.body_format, raw.title)
        language = detect_language(cleaned.text)
        stages["clean"] = _ms_since(started)
        started = time.perf_counter()
        fp = fingerprint(cleaned.text)
        stages["fingerprint"] = _ms_since(started)
        result = CleanedArticle(
            raw=ArticleHeader.of(raw),
            title=cleaned.title,
            text=cleaned.text,
            language=raw.language or (language.code if language else None),
            language_score=None if raw.language or language is None else language.score,
            canonical_url=canonical_url(raw.url),
            content_hash=content_hash(cleaned.text),
            signature=fp.signature,
            band_keys=list(fp.band_keys),
            received_at=received_at,
            trace_id=trace_id,
            stages_ms=stages,
        )
    except Exception as exc:
        return dead_letter(
            "clean", exc, original, source=source, worker_id=worker_id, article_id=raw.id
        )
    return result
