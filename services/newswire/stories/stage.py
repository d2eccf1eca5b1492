"""The story stage as the runner calls it: between tagging and publishing.

Thin: the clustering is in `clusterer`. Per original article it returns the enriched event
with its `story` filled in and the story updates to publish on `news.stories`; per
duplicate notice, the update of the original's story. All of them belong in the same
transaction as the clusterer's store changes.
"""

from __future__ import annotations

from newswire.models import DuplicateNotice, EnrichedArticle, StoryUpdate
from newswire.stories.article import story_article
from newswire.stories.bounds import SOURCE_CHARS
from newswire.stories.clusterer import Placement, StoryClusterer


def assign_story(
    clusterer: StoryClusterer, event: EnrichedArticle
) -> tuple[EnrichedArticle, Placement]:
    """`event` with `story.story_id` and `story.similarity` set by placing it in a story,
    and the placement (its updates to publish: its story's first, then stories that
    closed; whether it joined, started or revised)."""
    placement = clusterer.place(story_article(event))
    story = event.story.model_copy(
        update={"story_id": placement.story_id, "similarity": placement.similarity}
    )
    return event.model_copy(update={"story": story}), placement


def count_copy(clusterer: StoryClusterer, notice: DuplicateNotice) -> StoryUpdate | None:
    """The update of the original's story once the copy in `notice` is counted in it (None
    when that story is no longer open)."""
    source = notice.source[:SOURCE_CHARS]  # bounded like an original's (stories.bounds)
    return clusterer.add_copy(notice.id, notice.original_id, source, notice.detected_at)
