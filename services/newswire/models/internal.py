"""Messages between newswire's own stages. Not part of the public contract."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from newswire.models.events import RawArticle, _Event


class CleanedArticle(_Event):
    """A validated raw article with its clean text and dedup fingerprint, on its way to dedup."""

    raw: RawArticle
    title: str | None
    text: str
    language: str | None
    language_score: float | None
    canonical_url: str
    content_hash: str
    signature: bytes = Field(description="Compact MinHash signature of the clean text.")
    band_keys: list[bytes] = Field(description="LSH band keys of the MinHash.")
    received_at: AwareDatetime
    trace_id: str
    stages_ms: dict[str, float] = Field(default_factory=dict)


class UniqueArticle(_Event):
    """A cleaned article that dedup found to be the first copy of its story."""

    article: CleanedArticle
    stages_ms: dict[str, float] = Field(default_factory=dict)
