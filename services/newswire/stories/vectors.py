"""Sparse vectors as dicts from key to weight: cosine, sums, pruning."""

from __future__ import annotations

import math
from collections.abc import Mapping

Vector = dict[str, float]


def norm(vector: Mapping[str, float]) -> float:
    """The Euclidean length of `vector`."""
    return math.sqrt(sum(x * x for x in vector.values()))


def normalised(vector: Mapping[str, float]) -> Vector:
    """`vector` scaled to length 1 (empty stays empty)."""
    length = norm(vector)
    return {k: x / length for k, x in vector.items()} if length else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The dot product of `a` and `b`, iterating over the shorter one."""
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    return sum(x * get(k, 0.0) for k, x in a.items())


def top_keys(vector: Mapping[str, float], n: int) -> list[str]:
    """The `n` keys of highest weight, heaviest first (ties by key, so it is deterministic)."""
    return [k for k, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def add_pruned(total: Mapping[str, float], vector: Mapping[str, float], limit: int) -> Vector:
    """`total + vector`, keeping only the `limit` heaviest keys (bounded story state)."""
    summed = dict(total)
    for k, x in vector.items():
        summed[k] = summed.get(k, 0.0) + x
    if len(summed) <= limit:
        return summed
    return {k: summed[k] for k in top_keys(summed, limit)}
