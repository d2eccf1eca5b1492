"""The story stage's parameters (the worker fills them from `Settings`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from newswire.config import Settings
from newswire.stories.features import FeatureParams


@dataclass(frozen=True, slots=True)
class StoryParams:
    """Threshold, time window and the bounds that keep each story's state small."""

    threshold: float = 0.47
    """Score (`StoryClusterer.score`: centroid cosine, size bonus and the weighted cosine
    to the closest recent report) at or above which an article joins a story (measured:
    docs/stories.md)."""
    size_bonus: float = 0.0
    """Added to the cosine per unit of ln(original articles) of the story (capped below):
    the centroid of several differently-worded reports sits further from each of them
    than one report's vector does, so a grown story would otherwise get harder to join
    (measured: docs/stories.md)."""
    size_bonus_log_cap: float = 2.0
    """The bonus stops growing at ln(originals) = this (about 7 originals)."""
    member_weight: float = 0.75
    """Weight of the cosine to the story's closest recent report (its exemplars) in the
    score: a report that opens on another facet of the story can be close to one earlier
    report while far from the story's average (measured: docs/stories.md)."""
    rival_power: float = 0.5
    """When two or more open stories are close to an article (centroid cosine at least
    `rival_floor`), each of its words counts divided by (the number of those stories that
    share it) ** this, before scoring: shared crisis vocabulary cannot tell developments
    apart (`StoryClusterer.rivals_weighted`; 0 turns it off; measured: docs/stories.md)."""
    rival_floor: float = 0.10
    """Centroid cosine from which a candidate story counts as a rival."""
    ambiguity_margin: float = 0.02
    """When a second story also reaches the threshold and scores within this of the best,
    the article starts a story of its own (0 turns this off; measured: docs/stories.md)."""
    exemplars: int = 3
    """Recent original articles kept per story as exemplars."""
    exemplar_terms: int = 60
    """Heaviest terms kept of each exemplar."""
    idle_s: float = 3 * 86400.0
    """A story closes once the stream's event time passes its last article by this much."""
    centroid_terms: int = 200
    """Terms kept in a story's centroid."""
    index_keys: int = 20
    """A story's heaviest terms, under which the inverted index lists it."""
    query_keys: int = 20
    """An article's heaviest terms, looked up in the inverted index for candidates."""
    max_candidates: int = 16
    """Candidate stories compared in full, those sharing the most keys first."""
    max_members: int = 50
    """Member ids kept (the most recent)."""
    max_names: int = 30
    """Distinct sources, persons and organisations tallied per story."""
    features: FeatureParams = field(default_factory=FeatureParams)


def params_from_settings(settings: Settings) -> StoryParams:
    """The story parameters the settings configure (the rest keep their measured defaults)."""
    return StoryParams(
        threshold=settings.story_threshold,
        size_bonus=settings.story_size_bonus,
        member_weight=settings.story_member_weight,
        idle_s=settings.story_idle_hours * 3600.0,
        max_members=settings.story_max_members,
    )
