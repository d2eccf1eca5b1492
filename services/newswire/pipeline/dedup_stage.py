"""Stage 2: decide whether a cleaned article is a new story or a copy of one seen before."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime

from newswire.dedup import Candidate, DedupIndex, Fingerprint, Verdict
from newswire.models import DuplicateNotice
from newswire.models.internal import CleanedArticle


def candidate_of(article: CleanedArticle) -> Candidate:
    """What the dedup index needs to know of `article`."""
    return Candidate(
        article_id=article.raw.id,
        canonical_url=article.canonical_url,
        content_hash=article.content_hash,
        fingerprint=Fingerprint(article.signature, tuple(article.band_keys)),
    )


def judge(index: DedupIndex, article: CleanedArticle, now: datetime) -> Verdict:
    """The verdict for `article`; a new story is remembered in `index` as an original."""
    return index.observe(candidate_of(article), int(now.timestamp()))


def duplicate_notice(article: CleanedArticle, verdict: Verdict, now: datetime) -> DuplicateNotice:
    """The notice published for a copy: which article it copies, how it was found, how similar."""
    assert verdict.original_id is not None and verdict.method is not None  # noqa: S101 - a duplicate verdict has both
    return DuplicateNotice(
        id=article.raw.id,
        url=article.raw.url,
        source=article.raw.source,
        original_id=verdict.original_id,
        method=verdict.method,
        score=verdict.score,
        detected_at=now,
    )


def new_index(
    store: MutableMapping[bytes, bytes], threshold: float, window_days: float
) -> DedupIndex:
    """A dedup index over `store` with the configured threshold and memory window."""
    return DedupIndex(store, threshold=threshold, window_s=window_days * 86400)
