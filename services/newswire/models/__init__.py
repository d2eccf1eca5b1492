"""The event contracts: pydantic v2 models are the source of truth for `schemas/`."""

from newswire.models.events import (
    SCHEMA_VERSION,
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
from newswire.models.stories import RepresentativeArticle, StorySource, StoryUpdate

__all__ = [
    "SCHEMA_VERSION",
    "CountryTag",
    "DeadLetter",
    "DuplicateNotice",
    "EnrichedArticle",
    "EntityTag",
    "Evidence",
    "Mention",
    "ProcessingInfo",
    "RawArticle",
    "RepresentativeArticle",
    "StoryInfo",
    "StorySource",
    "StoryUpdate",
]
