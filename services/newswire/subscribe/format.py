"""Readable one-line summaries of events for terminals."""

from __future__ import annotations

from newswire.models import EnrichedArticle


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
