"""MinHash fingerprints (datasketch) kept compact as one byte per permutation.

b-bit MinHash (Li & König, 2010) keeps only the lowest 8 bits of each of the 64 minimum
hashes: 64 bytes per article instead of 512, at the cost of a small, correctable bias in
the similarity estimate (two random values agree on 8 bits with probability 1/256).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import MinHash

from newswire.dedup.shingles import shingle_hashes

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
_CHANCE = 1.0 / 256.0
# A band key is the band's number and 4 bytes of its hash: enough to make a false
# candidate rare, and the signature comparison rejects those anyway.
BAND_HASH_BYTES = 4
_SEED = 20261123


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # Permutations are drawn once per process; copying them is cheaper than redrawing.
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's LSH band keys and its compact signature."""

    signature: bytes
    band_keys: tuple[bytes, ...]


def minhash_values(text: str) -> np.ndarray:
    """The 64 full MinHash values of the text's shingles (uint64)."""
    hashes = shingle_hashes(text)
    sketch = MinHash(
        num_perm=NUM_PERM,
        seed=_SEED,
        hashfunc=_identity,
        permutations=_template().permutations,
        scheme="affine32",
    )
    if hashes.size:
        # The shingles are hashed already (xxh3); datasketch's MinHash works on 32-bit values.
        sketch.update_batch((hashes & np.uint64(0xFFFFFFFF)).tolist())
    return np.asarray(sketch.hashvalues, dtype=np.uint64)


def _identity(value: int) -> int:
    return value


def fingerprint(text: str) -> Fingerprint:
    """The fingerprint of clean `text`: 16 band keys (band number + 4 hash bytes) over the
    full MinHash values and the 64-byte b-bit signature kept for verification."""
    values = minhash_values(text)
    signature = (values & np.uint64(0xFF)).astype(np.uint8).tobytes()
    bands = tuple(
        bytes([band])
        + xxhash.xxh3_64_digest(values[band * ROWS : (band + 1) * ROWS].tobytes())[:BAND_HASH_BYTES]
        for band in range(BANDS)
    )
    return Fingerprint(signature=signature, band_keys=bands)


def similarities(signature: bytes, others: Sequence[bytes]) -> npt.NDArray[np.float64]:
    """`similarity` of `signature` with each of `others` (same length), computed at once."""
    if not others:
        return np.zeros(0)
    matrix = np.frombuffer(b"".join(others), dtype=np.uint8).reshape(len(others), -1)
    agree = (matrix == np.frombuffer(signature, dtype=np.uint8)).mean(axis=1)
    found: npt.NDArray[np.float64] = np.clip((agree - _CHANCE) / (1.0 - _CHANCE), 0.0, 1.0)
    return found


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two b-bit signatures,
    corrected for chance agreement and clamped to [0, 1]."""
    a = np.frombuffer(sig_a, dtype=np.uint8)
    b = np.frombuffer(sig_b, dtype=np.uint8)
    agree = float(np.count_nonzero(a == b)) / len(a)
    return min(1.0, max(0.0, (agree - _CHANCE) / (1.0 - _CHANCE)))
