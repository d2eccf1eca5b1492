"""Sparse vectors as dicts from key to weight: cosine, sums, pruning."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Mapping
from operator import mul

Vector = dict[str, float]


def norm(vector: Mapping[str, float]) -> float:
    """The Euclidean length of `vector`."""
    return math.hypot(*vector.values())


def normalised(vector: Mapping[str, float]) -> Vector:
    """`vector` scaled to length 1 (empty stays empty)."""
    length = norm(vector)
    return {k: x / length for k, x in vector.items()} if length else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The dot product of `a` and `b`, correctly rounded: the same bits whatever the order
    of the shared keys."""
    # Key intersection, lookups and products all run in C. A set's order follows the
    # process's string hashing, so a plain sum could differ in its last bits after a
    # restart and tip a comparison the restarted stage must decide as before; fsum does not.
    shared = a.keys() & b.keys()
    products: Iterator[float] = map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared))
    return math.fsum(products)


def top_keys(vector: Mapping[str, float], n: int) -> list[str]:
    """The `n` keys of highest weight, heaviest first."""
    # Ties keep the dict's order, which is deterministic: insertion order survives JSON.
    return heapq.nlargest(n, vector, key=vector.__getitem__)


def add_pruned(total: Mapping[str, float], vector: Mapping[str, float], limit: int) -> Vector:
    """`total + vector`, keeping only the `limit` heaviest keys (bounded story state)."""
    summed = dict(total)
    for k, x in vector.items():
        summed[k] = summed.get(k, 0.0) + x
    if len(summed) <= limit:
        return summed
    return {k: summed[k] for k in top_keys(summed, limit)}


def top_terms(vector: Mapping[str, float], n: int, digits: int = 4) -> Vector:
    """The `n` heaviest entries of `vector`, weights rounded to `digits` decimals (a compact,
    bounded excerpt: its dot product with a unit vector is the excerpt's share of the cosine)."""
    return {k: round(vector[k], digits) for k in top_keys(vector, n)}
