"""Messages between newswire's own stages. Not part of the public contract.

They are slim on purpose: the raw body is dropped once the article is cleaned, so an
internal message holds the clean text once plus ids, fingerprints and the raw article's
small fields. Its size is bounded by the configured article limit (see
`newswire.topics.internal_max_bytes`).
"""

from __future__ import annotations

from pydantic import Field

from newswire.models.events import ArticleId, MetadataValue, RawArticle, _Event
from newswire.models.timestamps import Timestamp


class ArticleHeader(_Event):
    """What later stages keep of the raw article: everything except its body."""

    id: ArticleId
    url: str
    source: str
    published_at: Timestamp | None
    fetched_at: Timestamp
    scraper_id: str
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)

    @classmethod
    def of(cls, raw: RawArticle) -> ArticleHeader:
        """The header of `raw`: each of its fields, as `raw` has it."""
        return cls(**{name: getattr(raw, name) for name in cls.model_fields})


class CleanedArticle(_Event):
    """A validated article with its clean text and dedup fingerprint, on its way to dedup."""

    raw: ArticleHeader
    title: str | None
    text: str
    language: str | None
    language_score: float | None
    canonical_url: str
    content_hash: str
    signature: bytes = Field(description="Compact MinHash signature of the clean text.")
    band_keys: list[bytes] = Field(description="LSH band keys of the MinHash.")
    received_at: Timestamp
    trace_id: str
    stages_ms: dict[str, float] = Field(default_factory=dict)


class UniqueArticle(_Event):
    """A cleaned article that dedup found to be new: the first copy of its story, or a
    resubmission of a published id whose text changed (then `revision` > 1)."""

    article: CleanedArticle
    revision: int = Field(default=1, ge=1)
    stages_ms: dict[str, float] = Field(default_factory=dict)
