"""The story update: what `news.stories` carries each time a story changes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newswire.models.events import ArticleId, CountryCode, _Event
from newswire.models.timestamps import Timestamp


class StorySource(_Event):
    """An outlet that reported the story, and with how many articles."""

    name: str
    articles: int = Field(ge=1)


class RepresentativeArticle(_Event):
    """The article that best stands for the story."""

    id: ArticleId
    url: str
    title: str | None


class StoryUpdate(_Event):
    """The state of one story after a change: keyed by `story_id` on a compacted topic, so
    the topic's latest message per key is the story as it stands."""

    schema_version: Literal[1] = 1
    story_id: ArticleId = Field(description="The id of the story's first article.")
    status: Literal["open", "closed"] = Field(
        description="'closed' once no article joined for the configured idle time (event "
        "time); a closed story takes no more articles."
    )
    update: int = Field(ge=1, description="1 for the story's first update, then +1 per change.")
    title: str = Field(description="The representative article's title, else its first words.")
    first_seen: Timestamp = Field(description="Event time of the earliest article.")
    last_seen: Timestamp = Field(description="Event time of the latest article.")
    article_count: int = Field(ge=1, description="Articles in the story, copies included.")
    copies: int = Field(ge=0, description="Of which near-duplicate or exact copies.")
    members: list[ArticleId] = Field(
        description="Ids of the most recent member articles, oldest first (bounded)."
    )
    members_truncated: bool = Field(description="True when older members were left out.")
    sources: list[StorySource] = Field(description="Outlets, most articles first (bounded).")
    countries: list[CountryCode] = Field(description="Countries most named by its articles.")
    persons: list[str] = Field(description="People most named by its articles.")
    orgs: list[str] = Field(description="Organisations most named by its articles.")
    representative: RepresentativeArticle
    updated_at: Timestamp = Field(description="Event time of the change.")
