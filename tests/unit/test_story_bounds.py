"""The story stage's stored state and its updates stay within the byte bounds the topics
are sized by, whatever the articles hold: the bound is a property of the design, so an
article at the size limit can never make a state write fail."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from newswire.config import Settings
from newswire.models import DuplicateNotice, EnrichedArticle
from newswire.models.events import EntityTag, Mention, ProcessingInfo, StoryInfo
from newswire.observability.metrics import PipelineMetrics
from newswire.pipeline.errors import SourceRecord
from newswire.runner.stage import Item
from newswire.runner.store import PartitionStore
from newswire.stories.bounds import (
    ID_CHARS,
    NAME_CHARS,
    SOURCE_CHARS,
    TITLE_CHARS,
    URL_CHARS,
    state_max_bytes,
    update_max_bytes,
)
from newswire.stories.params import StoryParams, params_from_settings
from newswire.stories.state import StoryState
from newswire.topics import ENVELOPE_BYTES
from newswire.topics import state_max_bytes as changelog_max_bytes
from newswire.wire import encode
from newswire.worker.stages import story_stage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, topic_prefix="", app_id="newswire")  # type: ignore[call-arg]
# Letters that take four bytes of UTF-8 (mathematical alphanumerics), and characters JSON
# escapes as six bytes: the worst a string can cost per character.
WIDE_LETTERS = [chr(c) for c in range(0x1D400, 0x1D434)]
ESCAPED = "\x01\x02\x1f"


def _wide_words(rng: random.Random, count: int, length: int) -> str:
    return " ".join("".join(rng.choices(WIDE_LETTERS, k=length)) for _ in range(count))


def _article(rng: random.Random, article_id: str, text: str, minute: int) -> EnrichedArticle:
    names = [
        EntityTag(
            name=(ESCAPED * NAME_CHARS)[: NAME_CHARS - 3] + f"{kind[0]}{n:02d}",
            kind=kind,
            count=1,
            mentions=[Mention(start=0, end=1, surface="x")],
        )
        for kind in ("person", "org")
        for n in range(40)
    ]
    return EnrichedArticle(
        id=article_id,
        url="https://x.example/" + "\x01" * (URL_CHARS - 19),
        source=ESCAPED * SOURCE_CHARS + article_id,  # longer than allowed: cut by the stage
        title=ESCAPED * TITLE_CHARS,
        text=text,
        language="en",
        published_at=NOW + timedelta(minutes=minute),
        fetched_at=NOW,
        scraper_id="t",
        story=StoryInfo(story_id=article_id, content_hash="h", canonical_url="https://x.example"),
        entities=names,
        processing=ProcessingInfo(
            worker_id="w", newswire_version="0", received_at=NOW, processed_at=NOW
        ),
    )


def _copy(copy_id: str, original_id: str) -> DuplicateNotice:
    return DuplicateNotice(
        id=copy_id,
        url="https://copies.example/x",
        source=ESCAPED * SOURCE_CHARS + copy_id,
        original_id=original_id,
        method="content_hash",
        score=1.0,
        detected_at=NOW,
    )


def test_story_state_and_updates_stay_within_their_bounds_for_the_worst_articles() -> None:
    rng = random.Random(7)
    stage = story_stage(SETTINGS, PipelineMetrics())
    store = PartitionStore()
    # Every article repeats the same 300 long, wide words (so they all join one story and
    # fill its centroid with the longest terms), carries hundreds of its own and one run of
    # letters too long to be a word; copies of an original not seen yet wait for it, then
    # all join its story.
    shared = _wide_words(rng, 300, 40)
    values: list[EnrichedArticle | DuplicateNotice] = [
        _copy(f"c{n}".ljust(ID_CHARS, "c"), "a0".ljust(ID_CHARS, "a")) for n in range(60)
    ]
    for n in range(60):
        text = f"{' '.join([shared] * 50)} {_wide_words(rng, 300, 39)} {'z' * 100_000}"
        values.append(_article(rng, f"a{n}".ljust(ID_CHARS, "a"), text, n))
    values += [_copy(f"d{n}".ljust(ID_CHARS, "d"), "a1".ljust(ID_CHARS, "a")) for n in range(60)]
    state_limit = state_max_bytes(params_from_settings(SETTINGS))
    update_limit = update_max_bytes(params_from_settings(SETTINGS))
    largest_state, largest_update = 0, 0
    for offset, value in enumerate(values):
        item = Item(SourceRecord("news.internal.tagged", 0, offset, None), b"", value, "0" * 32)
        store.begin_batch()
        [result] = asyncio.run(stage.handle([item], store))
        store.end_batch(keep=True)
        assert not isinstance(result, Exception)
        for emit in result:  # type: ignore[union-attr]
            if emit.topic == "news.stories":
                largest_update = max(largest_update, len(encode(emit.model)))
        largest_state = max([largest_state, *(len(v) for v in store.changes().values() if v)])
        store.commit()
    story = StoryState.from_bytes(store[b"s:" + "a0".ljust(ID_CHARS, "a").encode()])
    # One story; as many waiting copies as a story keeps members joined it.
    assert (story.originals, story.copies, story.members_truncated) == (60, 50, True)
    params = params_from_settings(SETTINGS)
    assert len(story.centroid) == params.centroid_terms
    assert [len(e) for e in story.exemplars] == [params.exemplar_terms] * params.exemplars
    # The worst case fills a good part of the bound: it is a bound, not a guess.
    assert state_limit // 3 < largest_state <= state_limit, (largest_state, state_limit)
    assert update_limit // 4 < largest_update <= update_limit, (largest_update, update_limit)


def test_the_story_changelog_holds_the_largest_state_with_its_key() -> None:
    for params in (StoryParams(), StoryParams(max_members=1000, centroid_terms=500)):
        assert state_max_bytes(params) > 0
    limit = changelog_max_bytes(SETTINGS, "story")
    assert limit >= state_max_bytes(params_from_settings(SETTINGS)) + ENVELOPE_BYTES // 2
    many = Settings(_env_file=None, story_max_members=1000)  # type: ignore[call-arg]
    assert changelog_max_bytes(many, "story") > limit  # derived, not fixed
