"""How large a story's stored state and its published update can ever be, in bytes.

Every field of a `StoryState` is bounded: by `StoryParams` (centroid terms, exemplars and
their terms, member ids, names per tally), by `FeatureParams.max_word_length` (the length of a centroid term), and
by the character limits below, which `story_article` and `count_copy` enforce on what
enters the clusterer (the raw article's own limits, applied again because the story stage
reads internal events, not validated raw ones). These functions add up the worst case of
each field as JSON, so that `newswire.topics` can size the story stage's changelog and
`news.stories` to what can occur: a story's state write never fails for its size.
"""

from __future__ import annotations

from newswire.stories.params import StoryParams

ID_CHARS = 128
"""An article id (`ArticleId`): ASCII letters, digits and `._:-`, never escaped in JSON."""
SOURCE_CHARS = 256
"""An outlet's name, as `RawArticle.source` allows."""
URL_CHARS = 4096
"""An article URL (`Uri`)."""
TITLE_CHARS = 2048
"""An article title, as `RawArticle.title` allows."""
NAME_CHARS = 200
"""A person or organisation tallied by a story; longer "names" are tagging noise, left out."""
SUMMARY_TITLE_CHARS = 160
"""A story's own title: the representative's title or lead, cut (see the clusterer)."""

# JSON bytes per character at worst: a control character is written as \\u00XX; a letter
# is never escaped but takes up to 4 bytes of UTF-8; an article id is plain ASCII.
_ANY_CHAR = 6
_LETTER = 4
# A number as orjson writes it (a float's shortest repr is at most 24 characters), with
# its separator.
_NUMBER = 32
# Field names, braces and separators of one value, and the few fixed-size fields.
_FRAME = 2048
# A Snowball stem is never longer than its word; the possessive cut can only shorten it.
_STEM_SLACK = 2


def _string(chars: int, per_char: int = _ANY_CHAR) -> int:
    """A JSON string of up to `chars` characters, quoted, with its separator."""
    return chars * per_char + 3


def _tally(chars: int) -> int:
    """One `name: count` entry of a tally."""
    return _string(chars) + _NUMBER


def state_max_bytes(params: StoryParams) -> int:
    """The largest value the story stage stores: a story's `StoryState` JSON, or the list
    of copies waiting for their original (`c:` entries), whichever can be larger."""
    term = _string(params.features.max_word_length + _STEM_SLACK, _LETTER) + _NUMBER
    names = params.max_names
    story = (
        _FRAME
        # story id, representative id, members
        + (2 + params.max_members) * _string(ID_CHARS, 1)
        + params.centroid_terms * term
        # the exemplars: a list of term vectors
        + params.exemplars * (params.exemplar_terms * term + 3)
        + names * (_tally(SOURCE_CHARS) + _tally(2) + 2 * _tally(NAME_CHARS))
        + _string(URL_CHARS)
        + _string(TITLE_CHARS)
        + _string(SUMMARY_TITLE_CHARS)
    )
    # [copy id, source, seen at] per waiting copy, at most `max_members` of them.
    waiting = _FRAME + params.max_members * (
        _string(ID_CHARS, 1) + _string(SOURCE_CHARS) + _NUMBER + 4
    )
    return max(story, waiting)


def update_max_bytes(params: StoryParams) -> int:
    """The largest `StoryUpdate` the story stage publishes on `news.stories` (its summary
    lists are cut shorter than the tallies they come from)."""
    return (
        _FRAME
        + (2 + params.max_members) * _string(ID_CHARS, 1)
        + params.max_names * (_tally(SOURCE_CHARS) + _string(2) + 2 * _string(NAME_CHARS))
        + _string(URL_CHARS)
        + _string(TITLE_CHARS)
        + _string(SUMMARY_TITLE_CHARS)
    )
