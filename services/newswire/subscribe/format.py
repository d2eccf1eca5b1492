"""Readable one-line summaries of events for terminals."""

from __future__ import annotations

from newswire.models import EnrichedArticle, StoryUpdate


def summary_line(event: EnrichedArticle) -> str:
    """`id | language | countries (primary first) | people | organisations | title`."""
    countries = [c.code for c in event.countries]
    if event.primary_country in countries:
        countries.remove(event.primary_country)
        countries.insert(0, f"*{event.primary_country}")
    people = [e.name for e in event.entities if e.kind == "person"]
    orgs = [e.name for e in event.entities if e.kind == "org"]
    title = (event.title or event.text[:80]).replace("\n", " ")
    return (
        f"{event.id} | {event.language or '?'} | countries: {' '.join(countries) or '-'} | "
        f"people: {', '.join(people[:6]) or '-'} | orgs: {', '.join(orgs[:6]) or '-'} | {title[:90]}"
    )


def story_line(update: StoryUpdate) -> str:
    """`story id | status, articles, outlets | countries | people | orgs | title`."""
    return (
        f"{update.story_id} | {update.status} #{update.update}: {update.article_count} articles "
        f"({update.copies} copies), {len(update.sources)} outlets | "
        f"countries: {' '.join(update.countries) or '-'} | "
        f"people: {', '.join(update.persons[:4]) or '-'} | orgs: {', '.join(update.orgs[:4]) or '-'}"
        f" | {update.title[:90]}"
    )
