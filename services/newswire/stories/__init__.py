"""Stories: every report of the same real-world story, across outlets, linked online.

`StoryClusterer` places each new original article into an open story or starts one
(`clusterer`); `stage` is what the worker's runner calls; `evaluate` scores it on gold
story labels. docs/stories.md says how and how well.
"""

from newswire.stories.article import StoryArticle, event_time, story_article
from newswire.stories.clusterer import Placement, StoryClusterer
from newswire.stories.params import StoryParams
from newswire.stories.stage import assign_story, count_copy
from newswire.stories.state import StoryState

__all__ = [
    "Placement",
    "StoryArticle",
    "StoryClusterer",
    "StoryParams",
    "StoryState",
    "assign_story",
    "count_copy",
    "event_time",
    "story_article",
]
