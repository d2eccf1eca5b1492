"""Small articles for story tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newswire.stories import StoryArticle

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

CANYON = (
    "Six Swiss tour company staff were found guilty of manslaughter over the canyoning "
    "disaster near Interlaken in which 21 people drowned in the Saxeten gorge."
)
CANYON_2 = (
    "Families of the Interlaken canyoning victims welcomed the manslaughter verdicts "
    "against the Adventure World guides over the Saxeten gorge flood."
)
CRICKET = (
    "Australia beat South Africa by 246 runs in the first cricket Test in Adelaide, "
    "with the spinner taking five wickets on the final afternoon."
)


def article(
    article_id: str,
    text: str,
    minutes: float = 0.0,
    source: str = "Example",
    countries: tuple[tuple[str, float], ...] = (),
    persons: tuple[str, ...] = (),
) -> StoryArticle:
    """A story-stage article `minutes` after T0."""
    return StoryArticle(
        id=article_id,
        url=f"https://example.com/{article_id}",
        source=source,
        title=None,
        text=text,
        event_time=T0 + timedelta(minutes=minutes),
        countries=countries,
        persons=persons,
    )
