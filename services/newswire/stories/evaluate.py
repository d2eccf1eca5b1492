"""Scores story clustering against gold story labels (../shared/eval/stories_dev.jsonl).

Each gold document goes through the worker's own stages in file order: prepare (validate,
clean, fingerprint), dedup, tagging, the enriched event, then the story stage. The
documents carry no dates, so their event times are one minute apart in file order.
Duplicates count in their original's story, as in the worker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import orjson

from newswire.config import get_settings
from newswire.models import DeadLetter, DuplicateNotice, EnrichedArticle, RawArticle
from newswire.models.internal import CleanedArticle
from newswire.pipeline.dedup_stage import duplicate_notice, judge, new_index
from newswire.pipeline.enrich import enriched_event
from newswire.pipeline.errors import SourceRecord
from newswire.pipeline.prepare import prepare
from newswire.scoring import Confusion
from newswire.stories.clusterer import StoryClusterer
from newswire.stories.params import StoryParams, params_from_settings
from newswire.stories.stage import assign_story, count_copy
from newswire.tagging.evaluate import load_text
from newswire.tagging.service import tag_batch


class EvaluationInputError(ValueError):
    """A gold document the worker would not accept (it would go to the dead letters)."""


EPOCH = datetime(2001, 12, 1, tzinfo=UTC)
"""Event time of the first gold document; the others follow a minute apart."""


def find_text(text_dirs: Sequence[Path], doc: str) -> str:
    """The text of `doc` from the first folder that holds its file (see `load_text`)."""
    name = doc.partition("#")[0]
    for folder in text_dirs:
        if (folder / name).is_file():
            return load_text(folder, doc)
    raise FileNotFoundError(f"{name} (for {doc}) is in none of: {', '.join(map(str, text_dirs))}")


def raw_article(doc: str, text: str, index: int) -> RawArticle:
    """The raw event a scraper would send for gold document `doc` (number `index`)."""
    moment = EPOCH + timedelta(minutes=index)
    return RawArticle(
        url=f"urn:newswire-eval:{doc.replace(' ', '_')}",
        source=f"eval:{doc.partition('#')[0]}",
        body=text,
        published_at=moment,
        fetched_at=moment,
        scraper_id="eval-stories",
    )


@dataclass(frozen=True, slots=True)
class StreamItem:
    """One gold document as the story stage receives it: an enriched original, or dedup's
    notice that it copies an earlier document (`original_doc`)."""

    doc: str
    event: EnrichedArticle | None = None
    notice: DuplicateNotice | None = None
    original_doc: str | None = None


def stream_items(docs: Sequence[str], text_dirs: Sequence[Path]) -> list[StreamItem]:
    """`docs` in order through the worker's stages before the story stage (prepare, dedup,
    tagging, the enriched event), event times a minute apart."""
    settings = get_settings()
    prepared: list[CleanedArticle] = []
    for i, doc in enumerate(docs):
        raw = raw_article(doc, find_text(text_dirs, doc), i)
        result = prepare(
            orjson.dumps(raw.model_dump(mode="json")),
            SourceRecord(),
            trace_id=doc,
            received_at=raw.fetched_at,
            worker_id="eval",
            max_bytes=settings.max_article_bytes,
        )
        if isinstance(result, DeadLetter):
            raise EvaluationInputError(f"{doc}: {result.error}")
        prepared.append(result)
    # Tagging is stateless, so tag everything in one batch; order matters only below.
    tags = tag_batch([a.text for a in prepared], settings.ner_model)
    dedup = new_index({}, settings.dedup_threshold, settings.dedup_window_days)
    items: list[StreamItem] = []
    for doc, article, tagged in zip(docs, prepared, tags, strict=True):
        now = article.raw.fetched_at
        verdict = judge(dedup, article, now)
        if verdict.duplicate:
            # A copy is never tagged; it counts in its original's story, as in the worker.
            notice = duplicate_notice(article, verdict, now)
            original = _doc_of(notice.original_id, prepared, docs)
            items.append(StreamItem(doc, notice=notice, original_doc=original))
            continue
        if isinstance(tagged, BaseException):
            raise tagged
        event = enriched_event(article, tagged, worker_id="eval", now=now, stages_ms={})
        items.append(StreamItem(doc, event=event))
    return items


def cluster_items(items: Sequence[StreamItem], params: StoryParams | None = None) -> dict[str, str]:
    """Story id per document, `items` placed in order by the worker's story stage."""
    clusterer = StoryClusterer({}, params or params_from_settings(get_settings()))
    story_of: dict[str, str] = {}
    for item in items:
        if item.notice is not None and item.original_doc is not None:
            count_copy(clusterer, item.notice)
            story_of[item.doc] = story_of[item.original_doc]
        elif item.event is not None:
            placed, _ = assign_story(clusterer, item.event)
            story_of[item.doc] = placed.story.story_id
    return story_of


def cluster_documents(
    docs: Sequence[str], text_dirs: Sequence[Path], params: StoryParams | None = None
) -> dict[str, str]:
    """Story id per document, streaming `docs` in order through the worker's stages."""
    return cluster_items(stream_items(docs, text_dirs), params)


def _doc_of(article_id: str, prepared: Sequence[CleanedArticle], docs: Sequence[str]) -> str:
    for doc, article in zip(docs, prepared, strict=True):
        if article.raw.id == article_id:
            return doc
    raise KeyError(article_id)


def pairwise(gold: dict[str, str], predicted: dict[str, str], docs: Sequence[str]) -> Confusion:
    """Pair counts over unordered pairs of `docs`: same story in gold and/or predicted."""
    counts = Confusion()
    for a, b in combinations(docs, 2):
        same_gold, same_predicted = gold[a] == gold[b], predicted[a] == predicted[b]
        counts.add(
            tp=same_gold and same_predicted,
            fp=same_predicted and not same_gold,
            fn=same_gold and not same_predicted,
            tn=not (same_gold or same_predicted),
        )
    return counts


def bcubed_f1(gold: dict[str, str], predicted: dict[str, str], docs: Sequence[str]) -> float:
    """B-cubed F1 over `docs`: per document, precision and recall of its predicted cluster
    against its gold cluster, averaged."""
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_predicted: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        by_gold[gold[doc]].add(doc)
        by_predicted[predicted[doc]].add(doc)
    precision = recall = 0.0
    for doc in docs:
        mine, truth = by_predicted[predicted[doc]], by_gold[gold[doc]]
        overlap = len(mine & truth)
        precision += overlap / len(mine)
        recall += overlap / len(truth)
    if not docs:
        return 1.0
    p, r = precision / len(docs), recall / len(docs)
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_stories(
    gold_path: Path,
    text_dirs: Sequence[Path],
    predictions: Path | None = None,
    params: StoryParams | None = None,
) -> Iterator[str]:
    """Score the story stage on a gold file; yields report lines, the last one
    `story_pair_p=P story_pair_r=R story_pair_f1=F bcubed_f1=B`."""
    gold_rows: list[dict[str, Any]] = [
        orjson.loads(line) for line in gold_path.read_bytes().splitlines() if line.strip()
    ]
    docs = [row["doc"] for row in gold_rows]
    predicted = cluster_documents(docs, text_dirs, params)
    if predictions:
        predictions.write_bytes(
            b"".join(orjson.dumps({"doc": d, "story": predicted[d]}) + b"\n" for d in docs)
        )
    gold = {row["doc"]: row["story"] for row in gold_rows}
    scored = [row["doc"] for row in gold_rows if not row.get("uncertain", False)]
    pairs = pairwise(gold, predicted, scored)
    bcubed = bcubed_f1(gold, predicted, scored)
    yield (
        f"documents={len(docs)} scored={len(scored)} gold_stories={len(set(gold.values()))} "
        f"predicted_stories={len(set(predicted.values()))}"
    )
    yield f"pairs: tp={pairs.tp} fp={pairs.fp} fn={pairs.fn}"
    yield (
        f"story_pair_p={pairs.precision:.3f} story_pair_r={pairs.recall:.3f} "
        f"story_pair_f1={pairs.f1:.3f} bcubed_f1={bcubed:.3f}"
    )
