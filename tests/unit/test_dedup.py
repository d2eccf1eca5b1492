"""Dedup: the index's verdicts, expiry, state size, and quality on the labelled pairs."""

from __future__ import annotations

import random
import re
from pathlib import Path

import orjson
import xxhash
from click.testing import CliRunner

from newswire.cli import main
from newswire.config import Settings
from newswire.dedup import Candidate, Fingerprint
from newswire.dedup.dataset import wrap_outlet
from newswire.dedup.evaluate import candidate, evaluate_pairs
from newswire.dedup.fingerprint import fingerprint, similarities, similarity
from newswire.dedup.index import (
    BUCKET_HANDLES,
    DedupIndex,
    _content_key,
    _url_key,
    handle_of,
)
from newswire.dedup.textstore import TextStore, from_text, stored_bytes, to_text

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
PAIRS = REPO / "tests" / "data" / "dedup_pairs.jsonl"
THRESHOLD = Settings.model_construct().dedup_threshold


def index() -> DedupIndex:
    return DedupIndex({}, threshold=THRESHOLD, window_s=3600)


def test_new_story_is_remembered_and_a_syndicated_copy_found() -> None:
    idx = index()
    original = SEEDS[0].read_text()
    assert not idx.observe(candidate("orig", original), now=0).duplicate
    copy = wrap_outlet(original, random.Random(1))
    verdict = idx.observe(candidate("copy", copy), now=10)
    assert verdict.duplicate and verdict.original_id == "orig" and verdict.method == "minhash"
    assert verdict.score >= THRESHOLD


def test_same_text_is_an_exact_duplicate() -> None:
    idx = index()
    idx.observe(candidate("a", SEEDS[1].read_text()), now=0)
    verdict = idx.observe(candidate("b", SEEDS[1].read_text().replace("\n", "\n\n")), now=1)
    assert (verdict.duplicate, verdict.method, verdict.score) == (True, "content_hash", 1.0)


def test_different_stories_on_one_topic_are_not_duplicates() -> None:
    idx = index()
    for i, seed in enumerate(SEEDS):
        assert not idx.observe(candidate(str(i), seed.read_text()), now=i).duplicate


def test_originals_expire_after_the_window_and_sweep_frees_their_state() -> None:
    store: dict[bytes, bytes] = {}
    idx = DedupIndex(store, threshold=THRESHOLD, window_s=100)
    idx.observe(candidate("old", SEEDS[0].read_text()), now=0)
    assert not idx.check(candidate("again", SEEDS[0].read_text()), now=500).duplicate
    removed = idx.sweep(now=500)
    assert removed > 0 and store == {}


def test_state_per_remembered_article_is_small() -> None:
    store: dict[bytes, bytes] = {}
    idx = DedupIndex(store, threshold=THRESHOLD, window_s=3600)
    for i, seed in enumerate(SEEDS):
        idx.observe(candidate(f"article-{i:012d}", seed.read_text()), now=i)
    assert sum(len(k) + len(v) for k, v in store.items()) / len(SEEDS) <= 512
    assert stored_bytes(store) / len(SEEDS) <= 512  # as faust writes it: base64 JSON strings


def test_quality_on_the_labelled_pairs() -> None:
    report = evaluate_pairs(PAIRS, THRESHOLD)
    assert report.total >= 400
    assert report.precision >= 0.99
    assert report.recall >= 0.95


def test_eval_command_prints_scores_last_and_writes_one_prediction_per_pair(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    a = SEEDS[0].read_text()
    pairs.write_bytes(
        orjson.dumps({"a": a, "b": "Logo Wide\n" + a, "duplicate": True})
        + b"\n"
        + orjson.dumps({"a": a, "b": SEEDS[1].read_text(), "duplicate": False})
        + b"\n"
    )
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(main, ["eval", "dedup", str(pairs), "--predictions", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "precision=1.000 recall=1.000 f1=1.000"
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [line["duplicate"] for line in lines] == [True, False]
    assert all(
        re.fullmatch(r"[01](\.\d+)?", str(line["score"])) or 0 <= line["score"] <= 1
        for line in lines
    )


def test_text_store_round_trips_bytes() -> None:
    table: dict[str, str] = {}
    store = TextStore(table)
    store[b"\x00\xff-key"] = b"\xfe value"
    assert store[b"\x00\xff-key"] == b"\xfe value" and store.get(b"missing") is None
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in table.items())
    assert from_text(to_text(b"abc\x00")) == b"abc\x00"
    del store[b"\x00\xff-key"]
    assert len(store) == 0


def test_a_resubmitted_id_with_the_same_text_is_a_copy_of_itself() -> None:
    idx = index()
    text = SEEDS[0].read_text()
    assert not idx.observe(candidate("same", text), now=0).duplicate
    again = idx.observe(candidate("same", text), now=5)
    assert (again.duplicate, again.original_id, again.method) == (True, "same", "content_hash")
    near = idx.observe(candidate("same", wrap_outlet(text, random.Random(2))), now=6)
    assert near.duplicate and near.original_id == "same" and near.method == "minhash"


def test_a_resubmitted_id_with_changed_text_is_the_next_revision() -> None:
    idx = index()
    assert idx.observe(candidate("story", SEEDS[0].read_text()), now=0).revision == 1
    update = idx.observe(candidate("story", SEEDS[1].read_text()), now=5)
    assert not update.duplicate and update.revision == 2
    # The update is now what copies are compared with: the first text is a change again.
    assert idx.observe(candidate("story", SEEDS[0].read_text()), now=6).revision == 3
    copy = idx.observe(candidate("other", SEEDS[0].read_text()), now=7)
    assert copy.duplicate and copy.original_id == "story" and copy.revision == 3


def test_exact_matches_are_verified_not_trusted_to_short_keys() -> None:
    store: dict[bytes, bytes] = {}
    idx = DedupIndex(store, threshold=THRESHOLD, window_s=3600)
    idx.observe(candidate("first", SEEDS[0].read_text()), now=0)
    second = candidate("second", SEEDS[1].read_text())
    # Point the second article's URL and content keys at the first one, as colliding
    # 40-bit keys would: the record's full URL hash and signature reject both.
    handle = next(value for key, value in store.items() if key[:1] == b"u")
    for key in list(store):
        if key[:1] in (b"u", b"c"):
            del store[key]
    store[b"u" + _url_key(second.canonical_url)] = handle
    store[b"c" + _content_key(second.content_hash)] = handle
    assert not idx.check(second, now=1).duplicate


def test_similarities_at_once_equal_similarity_one_pair_at_a_time() -> None:
    texts = ["the same words in the same order " * 8, "other words entirely " * 9]
    a, b = (fingerprint(t).signature for t in texts)
    assert list(similarities(a, [a, b])) == [similarity(a, a), similarity(a, b)]
    assert len(similarities(a, [])) == 0


def _made_up(article_id: str, signature: bytes, bands: tuple[bytes, ...]) -> Candidate:
    return Candidate(
        article_id=article_id,
        canonical_url=f"https://example.org/{article_id}",
        content_hash=xxhash.xxh3_128_hexdigest(article_id.encode()),
        fingerprint=Fingerprint(signature, bands),
    )


def test_a_copy_is_found_whichever_original_first_held_the_band_they_share() -> None:
    rng = random.Random(7)
    first, second = (bytes(rng.randrange(256) for _ in range(64)) for _ in range(2))
    shared = b"\x03band"
    a = _made_up("a", first, (b"\x01only-a", shared))
    b = _made_up("b", second, (b"\x02only-b", shared))
    copy_of_b = _made_up("copy", second, (shared,))  # its only band in common with b
    for order in ((a, b), (b, a)):
        idx = index()
        for n, original in enumerate(order):
            assert not idx.observe(original, now=n).duplicate
        verdict = idx.check(copy_of_b, now=5)
        assert (verdict.duplicate, verdict.original_id) == (True, "b")


def test_a_band_shared_by_many_originals_keeps_only_the_most_recent() -> None:
    store: dict[bytes, bytes] = {}
    idx = DedupIndex(store, threshold=THRESHOLD, window_s=3600)
    rng = random.Random(8)
    shared = b"\x03band"
    for n in range(BUCKET_HANDLES + 3):
        signature = bytes(rng.randrange(256) for _ in range(64))
        idx.observe(_made_up(f"o{n}", signature, (shared,)), now=n)
    recent = [handle_of(f"o{n}") for n in range(3, BUCKET_HANDLES + 3)]
    assert store[b"b" + shared] == b"".join(recent)


def test_sweep_keeps_a_band_while_one_of_its_originals_is_live() -> None:
    store: dict[bytes, bytes] = {}
    idx = DedupIndex(store, threshold=THRESHOLD, window_s=100)
    rng = random.Random(9)
    shared = b"\x03band"
    for article_id, now in (("old", 0), ("new", 90)):
        signature = bytes(rng.randrange(256) for _ in range(64))
        idx.observe(_made_up(article_id, signature, (shared,)), now=now)
    idx.sweep(now=150)
    assert b"b" + shared in store
    idx.sweep(now=250)
    assert b"b" + shared not in store
