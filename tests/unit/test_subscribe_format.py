"""The one-line summaries `newswire tail` prints: what a reader learns from each line."""

from __future__ import annotations

from typing import Any

from newswire.subscribe.format import dead_letter_line, enriched_line


def _enriched(story: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "b",
        "language": "en",
        "title": "Ministers meet in Tehran",
        "countries": [{"code": "IR"}, {"code": "SY"}],
        "primary_country": "SY",
        "entities": [
            {"kind": "person", "name": "Ali Shamkhani"},
            {"kind": "org", "name": "SANA"},
        ],
        "story": story,
    }


def test_enriched_line_puts_the_primary_country_first_and_names_people_and_orgs() -> None:
    line = enriched_line(_enriched({"story_id": "b", "similarity": None}))
    assert line.startswith("b | en | countries: *SY IR | people: Ali Shamkhani | orgs: SANA")
    assert line.endswith("Ministers meet in Tehran")


def test_enriched_line_says_whether_the_article_started_or_joined_a_story() -> None:
    assert "| new story |" in enriched_line(_enriched({"story_id": "b", "similarity": None}))
    joined = enriched_line(_enriched({"story_id": "a", "similarity": 0.634}))
    assert "| story of a (0.63) |" in joined


def test_enriched_line_of_an_event_without_a_story_says_it_is_not_known() -> None:
    event = _enriched({})
    del event["story"]
    assert "| story - |" in enriched_line(event)


def test_dead_letter_line_names_stage_reason_and_where_the_record_was() -> None:
    line = dead_letter_line(
        {
            "stage": "prepare",
            "error": "invalid_article: body is empty",
            "article_id": None,
            "original_topic": "news.articles.raw",
            "original_partition": 2,
            "original_offset": 17,
        }
    )
    assert line == (
        "dead letter at prepare: invalid_article: body is empty | article ? | "
        "from news.articles.raw/2/17"
    )
