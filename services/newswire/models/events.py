"""newswire's events. Every event is frozen, forbids unknown fields, carries a
`schema_version`, and uses timezone-aware datetimes only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from newswire.models.timestamps import Timestamp

SCHEMA_VERSION = 1
SchemaVersion = Literal[1]
# Each event carries its own version: the enriched event is at 2 (`revision` for resubmitted
# articles, the story an article joined); the others are still at 1.

ArticleId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$"),
    Field(description="Stable article id: the Kafka message key."),
]
Uri = Annotated[
    str,
    StringConstraints(min_length=3, max_length=4096, pattern=r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$"),
    Field(description="Absolute URI of the article (http, https, file or urn)."),
]
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$"), Field(description="ISO 3166-1 alpha-2.")
]
# NaN and infinities are not JSON: refused here rather than written as null.
MetadataValue = str | int | Annotated[float, Field(allow_inf_nan=False)] | bool | None


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def article_id_for(url: str) -> str:
    """The stable id of the article at `url`: 16 hex digits of the SHA-256 of the URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


class _Event(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, ser_json_bytes="base64", val_json_bytes="base64"
    )


class RawArticle(_Event):
    """An article as a scraper fetched it, before any processing."""

    schema_version: SchemaVersion = 1
    url: Uri
    # Declared after `url` so that the default can be derived from the validated URL.
    id: ArticleId = Field(
        default_factory=lambda data: article_id_for(data["url"]),
        description="Stable id; derived from the URL when the scraper leaves it out.",
    )
    source: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description="The outlet or site that published the article."
    )
    title: Annotated[str, StringConstraints(max_length=2048)] | None = None
    body: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="The article as fetched: plain text or HTML (see body_format)."
    )
    body_format: Literal["text", "html"] = "text"
    language: (
        Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")] | None
    ) = Field(default=None, description="BCP 47 language tag when the scraper knows it.")
    published_at: Timestamp | None = None
    fetched_at: Timestamp = Field(default_factory=utcnow)
    scraper_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] = "unknown"
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)


class Evidence(_Event):
    """One place in the clean text that points to a country."""

    start: int = Field(ge=0, description="Character offset of the mention's start in `text`.")
    end: int = Field(ge=0, description="Character offset just past the mention's end.")
    surface: str = Field(description="The mention as written.")
    kind: Literal["name", "demonym", "place", "institution"]


class CountryTag(_Event):
    """A country the article refers to, with how often, how central, and where."""

    code: CountryCode
    name: str
    count: int = Field(ge=1)
    salience: float = Field(
        ge=0.0, le=1.0, description="Share of the article's country evidence, position-weighted."
    )
    evidence: list[Evidence]


class Mention(_Event):
    """One occurrence of an entity in the clean text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    surface: str


class EntityTag(_Event):
    """A person, organisation or place named in the article, mentions merged."""

    name: str = Field(
        description="Canonical name: the fullest form the text gives, titles stripped."
    )
    kind: Literal["person", "org", "place"]
    count: int = Field(ge=1)
    country: CountryCode | None = Field(
        default=None, description="For places: the country they lie in."
    )
    mentions: list[Mention]


class StoryInfo(_Event):
    """The story the article belongs to: reports of the same event, across outlets."""

    story_id: ArticleId = Field(
        description="Id of the story the article joined: the id of the story's first article, "
        "so it equals `id` when this article started the story."
    )
    similarity: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="How similar the article was to the story it joined (cosine of their "
        "representations); null when it started a new story.",
    )
    content_hash: str = Field(description="Hash of the normalised clean text.")
    canonical_url: str


class ProcessingInfo(_Event):
    """Who processed the article, when, and with which versions."""

    worker_id: str
    newswire_version: str
    received_at: Timestamp = Field(description="When the worker read the raw event.")
    processed_at: Timestamp
    stages_ms: dict[str, float] = Field(
        default_factory=dict, description="Milliseconds spent per stage."
    )
    ner_model: str | None = Field(
        default=None,
        description="The NER pipeline that tagged entities; null when none ran (no model for "
        "the article's language).",
    )


class EnrichedArticle(_Event):
    """A clean, deduplicated, tagged article: what subscribers receive."""

    schema_version: Literal[2] = 2
    id: ArticleId
    revision: int = Field(
        default=1,
        ge=1,
        description="1 for an article's first publication. A raw article resubmitted under a "
        "published id whose text is no longer a near-duplicate of the last published version "
        "(below the dedup threshold) is published again under the same id with the next "
        "revision; keep the highest revision per id. A near-duplicate resubmission is a "
        "duplicate notice pointing at the id instead.",
    )
    url: Uri
    source: str
    title: str | None
    text: str = Field(
        description="The article's clean text: boilerplate removed, whitespace normalised."
    )
    language: str | None
    language_score: float | None = None
    published_at: Timestamp | None
    fetched_at: Timestamp
    scraper_id: str
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    story: StoryInfo
    countries: list[CountryTag] = Field(default_factory=list)
    primary_country: CountryCode | None = None
    entities: list[EntityTag] = Field(default_factory=list)
    processing: ProcessingInfo


class DuplicateNotice(_Event):
    """A later copy of a story that was already published: which one it copies, and how sure.

    A raw article resubmitted under an id already published is a copy too when its text is
    a near-duplicate of that id's last published version: the notice then points at the
    id itself (`original_id` == `id`)."""

    schema_version: SchemaVersion = 1
    id: ArticleId = Field(description="The duplicate's id.")
    url: Uri
    source: str
    original_id: ArticleId = Field(
        description="The published article this one copies: another id, or this id itself "
        "when an article was resubmitted unchanged or nearly so."
    )
    original_url: str | None = None
    method: Literal["url", "content_hash", "minhash"]
    score: float = Field(
        ge=0.0, le=1.0, description="Estimated similarity to the original (1.0 for exact)."
    )
    detected_at: Timestamp


class DeadLetter(_Event):
    """Input that could not be processed: the original bytes and the reason, nothing lost."""

    schema_version: SchemaVersion = 1
    stage: Literal["ingest", "decode", "validate", "clean", "dedup", "tag", "story", "publish"]
    error: str = Field(description="Human-readable reason, naming the field where there is one.")
    error_type: str = Field(description="Exception class or error code.")
    original: bytes = Field(description="The original message value, base64 in JSON.")
    original_key: bytes | None = None
    original_topic: str | None = None
    original_partition: int | None = None
    original_offset: int | None = None
    article_id: str | None = None
    failed_at: Timestamp
    worker_id: str
