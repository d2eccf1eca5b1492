"""Distinct articles of real news text for the end-to-end benchmark.

How they are built: every document of the Lee corpus (`../shared/eval/lee.cor` and
`lee_background.cor`, 349 Australian news reports) is cut at sentence boundaries into four
quarters of about equal word count. Article *i* is quarter 1 of one document, quarter 2 of a
second, quarter 3 of a third and quarter 4 of a fourth (four different documents, chosen by a
seeded random generator), one quarter a paragraph: about 180 words of real news prose.

No two articles share more than one quarter: a draw that would put two quarters together
again (the same two pieces in any two articles) is redrawn, and so is one where a quarter
would be more than 35% of the article's words. Reports that the dedup index finds similar
to an earlier one (the corpus repeats a few) are left out first. One shared quarter is about a
seventh of the shingles of a pair, far below the near-duplicate threshold (0.4), so dedup
passes nearly all of them to tagging, as it would a day of distinct stories.
`unique_share` checks that with the project's own dedup code.
"""

from __future__ import annotations

import random
import re
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LEE_FILES = ("lee_background.cor", "lee.cor")
# A quarter is at most this share of its article's words, so that two articles sharing one
# quarter stay far from the near-duplicate threshold (a long sentence can make one quarter
# of a report most of its text).
MAX_PIECE_SHARE = 0.35
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')]*\s+(?=[\"'(]?[A-Z0-9])")


def lee_documents(eval_dir: Path | None = None) -> list[str]:
    """Every Lee-corpus document (one per line of the two files), whitespace-normalised."""
    folder = eval_dir or REPO.parent / "shared" / "eval"
    docs: list[str] = []
    for name in LEE_FILES:
        path = folder / name
        if path.exists():
            docs += [
                " ".join(line.split())
                for line in path.read_text(encoding="latin-1").splitlines()
                if line.strip()
            ]
    if not docs:
        raise FileNotFoundError(f"no Lee corpus under {folder}")
    return docs


def distinct_documents(docs: list[str], threshold: float = 0.2) -> list[str]:
    """`docs` without those the project's dedup index finds similar to an earlier one (the
    corpus repeats a few reports), judged strictly so that no two quarters overlap much."""
    from newswire.dedup.fingerprint import fingerprint  # noqa: PLC0415 - only when building
    from newswire.dedup.index import Candidate, DedupIndex  # noqa: PLC0415
    from newswire.dedup.shingles import content_hash  # noqa: PLC0415

    index = DedupIndex({}, threshold=threshold, window_s=1e9)
    kept = []
    for i, doc in enumerate(docs):
        candidate = Candidate(
            f"d{i}", f"https://lee.example/{i}", content_hash(doc), fingerprint(doc)
        )
        if not index.observe(candidate, now=i).duplicate:
            kept.append(doc)
    return kept


def quarters(doc: str) -> list[str] | None:
    """`doc` cut at sentence boundaries into four parts of about equal word count, or None
    when it has fewer than four sentences."""
    sentences = [s for s in _SENTENCE_END.split(doc) if s.strip()]
    if len(sentences) < 4:
        return None
    total = sum(len(s.split()) for s in sentences)
    parts: list[list[str]] = [[] for _ in range(4)]
    seen = 0
    for index, sentence in enumerate(sentences):
        # The part a sentence goes to follows the words before it, but each part keeps at
        # least one sentence: the last sentences are reserved for the parts still empty.
        part = min(3, seen * 4 // total)
        part = max(part, 4 - (len(sentences) - index))
        part = min(part, next((p for p in range(4) if not parts[p]), 3))
        parts[part].append(sentence)
        seen += len(sentence.split())
    return [" ".join(p) for p in parts]


def build_articles(count: int, seed: int = 14) -> list[str]:
    """`count` distinct article texts (see the module docstring for how)."""
    pieces = [q for q in (quarters(d) for d in lee_documents()) if q is not None]
    rng = random.Random(seed)
    used_pairs: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    articles: list[str] = []
    attempts = 0
    while len(articles) < count:
        attempts += 1
        if attempts > count * 200:
            raise RuntimeError(f"only {len(articles)} distinct articles could be built")
        docs = rng.sample(range(len(pieces)), 4)
        chosen = [(doc, position) for position, doc in enumerate(docs)]
        pairs = set(combinations(chosen, 2))
        words = [len(pieces[doc][position].split()) for doc, position in chosen]
        if pairs & used_pairs or max(words) > MAX_PIECE_SHARE * sum(words):
            continue
        used_pairs |= pairs
        articles.append("\n\n".join(pieces[doc][position] for doc, position in chosen))
    return articles


def unique_share(texts: list[str], threshold: float = 0.4) -> float:
    """The share of `texts` that the project's cleaner and dedup index judge a new story
    when they arrive in order (exact and near copies count as not unique)."""
    from newswire.clean import clean_article  # noqa: PLC0415 - only when checking
    from newswire.dedup.fingerprint import fingerprint  # noqa: PLC0415
    from newswire.dedup.index import Candidate, DedupIndex  # noqa: PLC0415
    from newswire.dedup.shingles import content_hash  # noqa: PLC0415

    index = DedupIndex({}, threshold=threshold, window_s=1e9)
    unique = 0
    for i, text in enumerate(texts):
        clean = clean_article(text).text
        verdict = index.observe(
            Candidate(
                f"a{i}", f"https://bench.example/{i}", content_hash(clean), fingerprint(clean)
            ),
            now=i,
        )
        unique += not verdict.duplicate
    return unique / len(texts)


if __name__ == "__main__":
    built = build_articles(4000)
    words = [len(t.split()) for t in built]
    print(f"articles={len(built)} mean_words={sum(words) / len(words):.0f}")
    print(f"unique_share={unique_share(built):.4f}")
