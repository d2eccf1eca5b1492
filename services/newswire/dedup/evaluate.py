"""Precision and recall of duplicate detection on labelled pairs of raw article texts.

Each pair is judged by the worker's own code path: clean both texts, fingerprint them,
remember `a` in a fresh index, and ask the index about `b`.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from newswire.dedup.fingerprint import similarity
from newswire.dedup.index import Candidate, DedupIndex
from newswire.ingest.files import article_from_text
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.pipeline.dedup_stage import candidate_of
from newswire.pipeline.errors import SourceRecord
from newswire.pipeline.prepare import prepare
from newswire.scoring import Confusion
from newswire.wire import encode


def candidate(article_id: str, raw_text: str) -> Candidate:
    """What the worker's dedup stage sees for one raw text: it is wrapped as a raw article
    and sent through the worker's own `prepare` (validate, clean, fingerprint)."""
    raw = article_from_text(
        f"{article_id}.txt", raw_text, source="eval", url=f"urn:newswire:eval:{article_id}"
    )
    data = encode(raw)
    result = prepare(
        data,
        SourceRecord(),
        trace_id="eval",
        received_at=utcnow(),
        worker_id="eval",
        max_bytes=len(data),
    )
    if isinstance(result, DeadLetter):
        raise ValueError(f"{article_id}: {result.error}")  # noqa: TRY004 - the text is unusable, its type is fine
    return candidate_of(result)


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


def evaluate_pairs(
    pairs_path: Path, threshold: float, predictions: Path | None = None
) -> Confusion:
    """Score every pair of `pairs_path` (JSON Lines of a, b, duplicate); optionally write
    one prediction line per pair, in order, to `predictions`."""
    report = Confusion()
    out = predictions.open("wb") if predictions else None
    try:
        with pairs_path.open("rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                pair = orjson.loads(line)
                duplicate, score = judge_pair(pair["a"], pair["b"], threshold)
                truth = bool(pair["duplicate"])
                report.add(
                    tp=duplicate and truth,
                    fp=duplicate and not truth,
                    fn=not duplicate and truth,
                    tn=not duplicate and not truth,
                )
                if out:
                    out.write(orjson.dumps({"duplicate": duplicate, "score": score}) + b"\n")
    finally:
        if out:
            out.close()
    return report
