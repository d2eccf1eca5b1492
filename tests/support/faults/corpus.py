"""Articles for fault tests: distinct stories built from real news text, plus planted copies.

Every original is made of four quarters of four different documents of the Lee corpus
(quarter j of document d_j in slot j). Documents are picked as d_j = (a + j*b) mod p for
a prime p, so two originals share at most one quarter: far below the dedup threshold.
Copies get ids of their own: exact copies repeat the body, near copies are edited as
syndication edits them (another outlet's header and footer, a new headline, an added
or dropped paragraph). Both are checked with the project's own dedup code before use:
an original that dedup would call a copy is dropped, and a copy that it would not
find (or would match to another original) is drawn again.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newswire.clean import canonical_url, clean_article
from newswire.dedup import Candidate, DedupIndex, content_hash, fingerprint
from newswire.dedup.dataset import add_unit, change_headline, drop_unit, wrap_outlet
from newswire.dedup.fingerprint import similarities
from newswire.dedup.index import BUCKET_HANDLES
from newswire.models import RawArticle

REPO = Path(__file__).resolve().parents[3]
LEE = (
    REPO.parent / "shared" / "eval" / "lee_background.cor",
    REPO.parent / "shared" / "eval" / "lee.cor",
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
DEDUP_THRESHOLD = 0.4  # the default; the plan is checked against the worker's setting


@dataclass(frozen=True, slots=True)
class Planted:
    """One article to produce: the event, the raw partition it goes to, and what it is."""

    article: RawArticle
    partition: int
    copy_of: str | None = None  # the original's id for a planted copy
    how: str = "original"


@dataclass(slots=True)
class Plan:
    """Articles in produce order; every copy comes after its original, in its partition."""

    items: list[Planted] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        """Every article id, in produce order."""
        return [p.article.id for p in self.items]

    @property
    def copies(self) -> dict[str, str]:
        """Copy id -> the id of the original it must be reported as a duplicate of."""
        return {p.article.id: p.copy_of for p in self.items if p.copy_of is not None}

    def __len__(self) -> int:
        return len(self.items)


def lee_documents() -> list[str]:
    """The Lee corpus documents (background set first), one per non-empty line."""
    docs: list[str] = []
    for path in LEE:
        if not path.exists():
            raise FileNotFoundError(f"{path} is needed to build fault-test articles")
        docs += [
            line.strip() for line in path.read_text(encoding="latin-1").split("\n") if line.strip()
        ]
    return docs


def quarters(doc: str) -> list[str]:
    """`doc` cut into four consecutive parts of about equal length, at sentence ends where
    the document has enough sentences, else at word boundaries."""
    sentences = [s for s in _SENTENCE.split(doc) if s.strip()]
    if len(sentences) < 4:
        words = doc.split()
        step = max(1, len(words) // 4)
        return [" ".join(words[i * step : (i + 1) * step if i < 3 else None]) for i in range(4)]
    total = sum(len(s) for s in sentences)
    parts: list[list[str]] = [[] for _ in range(4)]
    done = 0
    for s in sentences:
        slot = min(3, done * 4 // total)
        parts[slot].append(s)
        done += len(s)
    # A quarter left empty by one very long sentence borrows from its neighbour.
    for i in range(4):
        if not parts[i]:
            donor = max(range(4), key=lambda k: len(parts[k]))
            parts[i].append(parts[donor].pop())
    return [" ".join(p) for p in parts]


def _largest_prime_at_most(n: int) -> int:
    for candidate in range(n, 4, -1):
        if all(candidate % d for d in range(2, int(candidate**0.5) + 1)):
            return candidate
    raise ValueError("need at least five documents")


def _bodies(docs: list[str], rng: random.Random) -> Iterator[str]:
    """Distinct bodies, in a random order, until the combinations run out."""
    p = _largest_prime_at_most(len(docs))
    cut = [quarters(d) for d in docs[:p]]
    pairs = [(a, b) for b in range(1, p) for a in range(p)]
    rng.shuffle(pairs)
    for a, b in pairs:
        yield "\n\n".join(cut[(a + j * b) % p][j] for j in range(4))


def _candidate(article: RawArticle) -> Candidate:
    cleaned = clean_article(article.body, article.body_format, article.title)
    return Candidate(
        article_id=article.id,
        canonical_url=canonical_url(article.url),
        content_hash=content_hash(cleaned.text),
        fingerprint=fingerprint(cleaned.text),
    )


def _near_copy(body: str, rng: random.Random) -> tuple[str, str]:
    edits = {"outlet": wrap_outlet, "headline": change_headline, "add": add_unit, "drop": drop_unit}
    chosen = rng.sample(sorted(edits), k=rng.choice((1, 2)))
    for name in chosen:
        body = edits[name](body, rng)
    return body, "near:" + "+".join(chosen)


def _partition(article_id: str, partitions: int) -> int:
    from aiokafka.partitioner import murmur2

    return (murmur2(article_id.encode()) & 0x7FFFFFFF) % partitions


def _detectable_copy(
    original: Planted,
    copy_id: str,
    exact: bool,
    index: DedupIndex,
    rng: random.Random,
    others: list[bytes],
    threshold: float,
    holders: Counter[bytes],
) -> Planted:
    """A copy of `original` under `copy_id` that dedup finds and matches to `original`, in
    whatever order the originals reached it: below the threshold against every other
    original (`others`, their signatures), and sharing with `original` a band that no more
    originals hold than a band remembers (`holders`: originals per band), so no order of
    arrival can push `original` out of every band they share."""
    run = copy_id.rsplit("-", 1)[0]
    own_bands = set(_candidate(original.article).fingerprint.band_keys)
    for _ in range(20):
        body, how = (
            (original.article.body, "exact") if exact else _near_copy(original.article.body, rng)
        )
        copy = RawArticle(
            id=copy_id,
            url=f"https://mirror.example/{run}/{copy_id}",
            source="faults-mirror",
            body=body,
            scraper_id="faults",
        )
        candidate = _candidate(copy)
        verdict = index.check(candidate, 0)
        findable = any(
            band in own_bands and holders[band] <= BUCKET_HANDLES
            for band in candidate.fingerprint.band_keys
        )
        if (
            verdict.duplicate
            and verdict.original_id == original.article.id
            and findable
            and not _similar_to_any(candidate.fingerprint.signature, others, threshold)
        ):
            return Planted(copy, original.partition, original.article.id, how)
    raise ValueError(f"no detectable copy of {original.article.id} could be made")


def _similar_to_any(signature: bytes, others: list[bytes], threshold: float) -> bool:
    return bool((similarities(signature, others) >= threshold).any())


def build_plan(
    total: int,
    *,
    run: str,
    partitions: int = 4,
    copy_share: float = 0.1,
    seed: int = 10,
    threshold: float = DEDUP_THRESHOLD,
) -> Plan:
    """`total` articles with ids `<run>-o<n>` (originals) and `<run>-c<n>` (copies, about
    `copy_share` of them, half exact and half near). Each copy goes to its original's
    partition, somewhere after it, so the original is always judged first."""
    rng = random.Random(seed)
    n_copies = int(total * copy_share)
    n_originals = total - n_copies
    index = DedupIndex({}, threshold=threshold, window_s=86400.0)
    originals: list[Planted] = []
    kept: list[bytes] = []
    signature_of: dict[str, bytes] = {}
    holders: Counter[bytes] = Counter()
    for body in _bodies(lee_documents(), rng):
        if len(originals) == n_originals:
            break
        article_id = f"{run}-o{len(originals):05d}"
        article = RawArticle(
            id=article_id,
            url=f"https://wire.example/{run}/{article_id}",
            source="faults",
            body=body,
            scraper_id="faults",
        )
        candidate = _candidate(article)
        # Distinct whatever order the worker judges them in: below the threshold against
        # every kept original, not only against those the LSH bands propose in this order.
        if _similar_to_any(candidate.fingerprint.signature, kept, threshold):
            continue
        if index.observe(candidate, 0).duplicate:
            continue  # the corpus itself has near-duplicate documents: keep stories distinct
        kept.append(candidate.fingerprint.signature)
        holders.update(candidate.fingerprint.band_keys)
        signature_of[article_id] = candidate.fingerprint.signature
        originals.append(Planted(article, _partition(article_id, partitions)))
    if len(originals) < n_originals:
        raise ValueError(f"only {len(originals)} distinct originals could be built")
    # Copies: each of a different original, inserted after it in the same partition.
    by_partition: dict[int, list[Planted]] = {}
    for item in originals:
        by_partition.setdefault(item.partition, []).append(item)
    for number, original in enumerate(rng.sample(originals, n_copies)):
        others = [sig for i, sig in signature_of.items() if i != original.article.id]
        copy = _detectable_copy(
            original,
            f"{run}-c{number:05d}",
            number % 2 == 0,
            index,
            rng,
            others,
            threshold,
            holders,
        )
        lane = by_partition[original.partition]
        after = lane.index(original) + 1
        lane.insert(rng.randint(after, len(lane)), copy)
    # Interleave the partitions' lanes into one produce order.
    plan = Plan()
    lanes = [list(lane) for lane in by_partition.values()]
    while lanes:
        lane = rng.choice(lanes)
        plan.items.append(lane.pop(0))
        if not lane:
            lanes.remove(lane)
    return plan
