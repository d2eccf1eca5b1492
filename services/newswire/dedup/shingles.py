"""Word shingles of clean text: the unit near-duplicate detection compares."""

from __future__ import annotations

import re

import numpy as np
import xxhash

SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens of `text`; punctuation, quotes and line wrapping are ignored."""
    return _WORD.findall(text.casefold())


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct 64-bit hashes of every run of `size` consecutive words (one hash for texts
    shorter than that), as a uint64 array."""
    tokens = words(text)
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    if len(tokens) < size:
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    distinct = set(grams)
    return np.fromiter(
        (xxhash.xxh3_64_intdigest(g.encode()) for g in distinct),
        dtype=np.uint64,
        count=len(distinct),
    )


def content_hash(text: str) -> str:
    """A hash of the text's words alone: equal for copies that differ only in case,
    punctuation or whitespace."""
    return xxhash.xxh3_128_hexdigest(" ".join(words(text)).encode())
