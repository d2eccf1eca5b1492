"""What the story stage compares: one weighted, normalised term vector per article.

Terms are word stems weighted by how rare the word is in general English
(`vocabulary.word_weight`) and by where they stand: the lead (title and first sentences)
says what the story is, so a term's count there is boosted, decaying with position.
Countries the tagger found join as `#XX` keys, a weak signal scaled by their salience.
Persons and organisations are not in the vector (measured: they add noise, names repeat
in the text anyway); they feed the story summary instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from newswire.stories.vectors import Vector, normalised
from newswire.stories.vocabulary import WORD, Stemmer

COUNTRY_PREFIX = "#"


@dataclass(frozen=True, slots=True)
class FeatureParams:
    """How an article becomes a vector. Defaults measured in docs/stories.md."""

    lead_boost: float = 5.0
    """Extra count of a term at the very start; decays as exp(-position / lead_scale)."""
    lead_scale: float = 20.0
    """Token position at which the lead boost has fallen to 1/e."""
    country_weight: float = 0.3
    """Weight of the country keys beside the unit-length term vector."""
    min_word_length: int = 3
    max_word_length: int = 40
    """Longer runs of letters are no words (markup, encodings run together): left out, which
    also bounds the length of a stored centroid term (`newswire.stories.bounds`)."""


@cache
def _lead_boosts(boost: float, scale: float) -> tuple[float, ...]:
    """Count of a term at each position of the lead: 1 + boost * exp(-position / scale),
    up to where the boost no longer matters."""
    length = int(scale * math.log(max(boost, 1e-9) / 1e-3)) + 1 if boost > 0 else 0
    return tuple(1.0 + boost * math.exp(-p / scale) for p in range(max(0, length)))


def term_vector(text: str, stemmer: Stemmer, params: FeatureParams) -> Vector:
    """The unit-length term vector of `text` (title first, then body)."""
    counts: dict[str, float] = {}
    weights: dict[str, float] = {}
    boosts = _lead_boosts(params.lead_boost, params.lead_scale)
    tail = len(boosts)
    shortest, longest = params.min_word_length, params.max_word_length
    known = stemmer.cache
    words = WORD.findall(text.lower())
    # The lead word by word (its boost depends on the position), the rest counted at once;
    # then each distinct word is stemmed and weighed once.
    per_word: dict[str, float] = {w: float(n) for w, n in Counter(words[tail:]).items()}
    for word, boost in zip(words[:tail], boosts, strict=False):
        per_word[word] = per_word.get(word, 0.0) + boost
    for word, count in per_word.items():
        if not shortest <= len(word) <= longest:
            continue
        stem, weight = known.get(word) or stemmer.stem_and_weight(word)
        if weight <= 0.0:
            continue
        counts[stem] = counts.get(stem, 0.0) + count
        if weight > weights.get(stem, 0.0):
            weights[stem] = weight
    # Sublinear counts: a word repeated ten times is not ten times the evidence.
    return normalised({s: (1.0 + math.log(c)) * weights[s] for s, c in counts.items()})


def article_vector(
    title: str | None,
    text: str,
    countries: Iterable[tuple[str, float]],
    stemmer: Stemmer,
    params: FeatureParams,
) -> Vector:
    """The unit-length vector the story stage compares: terms of title and text, plus
    `(code, salience)` countries."""
    vector = term_vector(f"{title}\n{text}" if title else text, stemmer, params)
    for code, salience in countries:
        if salience > 0.0:
            vector[COUNTRY_PREFIX + code] = params.country_weight * salience
    return normalised(vector)
