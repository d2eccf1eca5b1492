"""What tagging returns for one article."""

from __future__ import annotations

from dataclasses import dataclass, field

from newswire.models import CountryTag, EntityTag


@dataclass(frozen=True, slots=True)
class Tags:
    """Countries (with the primary one) and entities found in one article."""

    countries: list[CountryTag] = field(default_factory=list)
    primary_country: str | None = None
    entities: list[EntityTag] = field(default_factory=list)
    ner_model: str | None = None
