"""One open story as the state store keeps it, and its bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from newswire.stories.vectors import norm


def compact_json(value: Any) -> bytes:
    """`value` as JSON bytes that occupy their own length in memory, for values the store
    keeps as long as a story is open."""
    # orjson's result can sit in a buffer many times its length (5.5 KB of state held
    # ~37 KB: 6x the stage's memory per open story); a copy is allocated exactly.
    return bytes(memoryview(orjson.dumps(value)))


@dataclass(slots=True)
class StoryState:
    """Everything the stage needs to place the next article and to publish the story.

    Bounded: the centroid keeps its heaviest terms only, members the most recent ids, the
    exemplars the last few articles' heaviest terms, and the name tallies their most
    frequent names (limits in `StoryParams`)."""

    story_id: str
    centroid: dict[str, float]
    """Sum of the unit vectors of the story's original articles (pruned)."""
    originals: int
    copies: int
    first_seen: float
    """Event times, seconds since the epoch."""
    last_seen: float
    updated_at: float
    update: int
    members: list[str]
    members_truncated: bool
    sources: dict[str, int]
    countries: dict[str, int]
    persons: dict[str, int]
    orgs: dict[str, int]
    representative_id: str
    representative_url: str
    representative_title: str | None
    representative_score: float
    title: str
    exemplars: list[dict[str, float]] = field(default_factory=list)
    """The heaviest terms of the story's most recent original articles, oldest first: an
    article may be closer to one report than to the story's average (bounded in number
    and terms by `StoryParams`; stories stored before this field have none)."""
    centroid_norm: float = field(default=0.0, compare=False)
    exemplar_excess: float = field(default=0.0, compare=False)
    """How far any exemplar reaches past the centroid: the largest length of (exemplar -
    centroid) clipped at 0, term by term. Usually 0; more once pruning dropped an
    exemplar's terms from the centroid. For a unit query q of non-negative weights,
    q . exemplar <= q . centroid + exemplar_excess, the bound the clusterer skips by."""

    def refresh_norm(self) -> None:
        """Recompute the cached length of the centroid, and the exemplars' excess over it,
        after either changed."""
        self.centroid_norm = norm(self.centroid)
        centroid = self.centroid
        self.exemplar_excess = max(
            (
                norm(
                    {t: x - centroid.get(t, 0.0) for t, x in e.items() if x > centroid.get(t, 0.0)}
                )
                for e in self.exemplars
            ),
            default=0.0,
        )

    def to_bytes(self) -> bytes:
        """The state as stored: JSON (the cached norm and excess are written but recomputed
        on load), in a buffer of its own size."""
        return compact_json(self)  # orjson writes dataclasses natively, fast

    @classmethod
    def from_bytes(cls, data: bytes) -> StoryState:
        """The state stored as `data` by `to_bytes`."""
        fields: dict[str, Any] = orjson.loads(data)
        fields.pop("centroid_norm", None)
        fields.pop("exemplar_excess", None)
        state = cls(**fields)
        state.refresh_norm()
        return state
