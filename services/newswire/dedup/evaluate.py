"""Precision and recall of duplicate detection on labelled pairs of raw article texts.

Each pair is judged by the worker's own code path: clean both texts, fingerprint them,
remember `a` in a fresh index, and ask the index about `b`.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from newswire.clean import clean_article
from newswire.dedup.fingerprint import fingerprint, similarity
from newswire.dedup.index import Candidate, DedupIndex
from newswire.dedup.shingles import content_hash
from newswire.scoring import Confusion

Report = Confusion


def candidate(article_id: str, raw_text: str) -> Candidate:
    """Clean and fingerprint one raw text as the worker does (text body, no URL)."""
    cleaned = clean_article(raw_text).text
    return Candidate(
        article_id=article_id,
        canonical_url=f"urn:newswire:eval:{article_id}",
        content_hash=content_hash(cleaned),
        fingerprint=fingerprint(cleaned),
    )


def judge_pair(a: str, b: str, threshold: float) -> tuple[bool, float]:
    """Whether raw text `b` is a copy of raw text `a` by the worker's dedup code, and the
    similarity score (1.0 for exact copies, the MinHash estimate otherwise)."""
    first, second = candidate("a", a), candidate("b", b)
    index = DedupIndex({}, threshold=threshold, window_s=float("inf"))
    index.observe(first, now=0)
    verdict = index.check(second, now=0)
    if verdict.duplicate:
        return True, verdict.score
    return False, round(similarity(first.fingerprint.signature, second.fingerprint.signature), 4)


def evaluate_pairs(pairs_path: Path, threshold: float, predictions: Path | None = None) -> Report:
    """Score every pair of `pairs_path` (JSON Lines of a, b, duplicate); optionally write
    one prediction line per pair, in order, to `predictions`."""
    counts: dict[str, int] = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    out = predictions.open("wb") if predictions else None
    try:
        with pairs_path.open("rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                pair = orjson.loads(line)
                duplicate, score = judge_pair(pair["a"], pair["b"], threshold)
                outcome = ("t" if duplicate == bool(pair["duplicate"]) else "f") + (
                    "p" if duplicate else "n"
                )
                counts[outcome] += 1
                if out:
                    out.write(orjson.dumps({"duplicate": duplicate, "score": score}) + b"\n")
    finally:
        if out:
            out.close()
    return Report(**counts)
