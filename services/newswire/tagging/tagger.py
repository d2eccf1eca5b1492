"""Full tagging of one article: countries and entities, from text and NER spans."""

from __future__ import annotations

from newswire.tagging.countries import tag_countries
from newswire.tagging.entities import extract_entities
from newswire.tagging.gazetteer import Gazetteer, load_gazetteer
from newswire.tagging.languages import load_language_gazetteer
from newswire.tagging.result import Tags
from newswire.tagging.spans import NerSpan


def tag_article(
    text: str,
    spans: list[NerSpan] | None,
    *,
    ner_model: str | None = None,
    gazetteer: Gazetteer | None = None,
    language: str | None = None,
) -> Tags:
    """Countries (with evidence and the primary one) and, when NER `spans` are given,
    people, organisations and places of `text`. `language` (ISO 639-1) adds the country
    names of that language; `ner_model` is recorded as the model that produced `spans`
    (None when no NER ran)."""
    gaz = gazetteer or load_gazetteer()
    extra = load_language_gazetteer(language) if language and language != "en" else None
    countries = tag_countries(text, spans, gaz, extra)
    entities = extract_entities(text, spans, countries.mentions, gaz) if spans is not None else []
    return Tags(
        countries=countries.countries,
        primary_country=countries.primary,
        entities=entities,
        ner_model=ner_model if spans is not None else None,
    )
