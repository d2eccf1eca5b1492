"""Deduplication: exact (URL, content hash) and near (MinHash LSH) copies of a story."""

from newswire.dedup.fingerprint import Fingerprint, fingerprint, similarity
from newswire.dedup.index import Candidate, DedupIndex, Verdict
from newswire.dedup.shingles import content_hash

__all__ = [
    "Candidate",
    "DedupIndex",
    "Fingerprint",
    "Verdict",
    "content_hash",
    "fingerprint",
    "similarity",
]
