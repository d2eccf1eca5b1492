"""Stage 3: build the event subscribers receive from a unique article and its tags."""

from __future__ import annotations

from datetime import datetime

from newswire import __version__
from newswire.models import EnrichedArticle, ProcessingInfo, StoryInfo
from newswire.models.internal import CleanedArticle
from newswire.tagging.result import Tags


def enriched_event(
    article: CleanedArticle,
    tags: Tags,
    *,
    worker_id: str,
    now: datetime,
    stages_ms: dict[str, float],
    revision: int = 1,
) -> EnrichedArticle:
    """The enriched event for a new `article` (at `revision`) tagged with `tags`."""
    raw = article.raw
    # The header's fields (id, url, source, times, scraper, metadata) pass through as they are.
    return EnrichedArticle(
        **dict(raw),
        revision=revision,
        title=article.title,
        text=article.text,
        language=article.language,
        language_score=article.language_score,
        story=StoryInfo(
            story_id=raw.id, content_hash=article.content_hash, canonical_url=article.canonical_url
        ),
        countries=tags.countries,
        primary_country=tags.primary_country,
        entities=tags.entities,
        processing=ProcessingInfo(
            worker_id=worker_id,
            newswire_version=__version__,
            received_at=article.received_at,
            processed_at=now,
            stages_ms={**article.stages_ms, **stages_ms},
            ner_model=tags.ner_model,
        ),
    )
