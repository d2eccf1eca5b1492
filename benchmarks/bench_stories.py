"""Story stage throughput per core, and the state each open story costs.

    .venv/bin/python benchmarks/bench_stories.py [--articles N] [--per-minute M]

The stream: synthetic articles (seeded, the same every run) built from the corpus's
words, M per minute of event time: about a third start a story, the rest report one of
the last 200 stories, so stories start, grow and close after the idle time.
Target (issue 13): >= 1,000 articles/s per core. Prints articles per CPU-second of this
single-threaded process (the wall-clock rate too, which other load on the machine lowers),
joins and new stories,
open stories at the end, the stored bytes per open story (its StoryState, key included) and
of the largest one (a story's changelog record must stay well under 64 KiB),
and the resident memory per open story (state, index and caches together).
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import UTC, datetime, timedelta

from corpus import raw_articles
from newswire.clean import clean_article
from newswire.stories import StoryArticle, StoryClusterer, StoryParams
from newswire.stories.vocabulary import WORD, _zipf_table, load, zipf

COUNTRIES = ["AU", "US", "GB", "SY", "RU", "IR", "AF", "IL", "PS", "CH", "ZA", "FR"]


def vocabulary() -> tuple[list[str], list[str]]:
    """(Rarer words that name stories, common filler): the first from wordfreq's general
    English list (news vocabulary is large; a story's own words are shared by few others),
    the second from the benchmark corpus."""
    table = _zipf_table()
    rare = sorted(w for w, z in table.items() if 2.5 <= z < 4.0 and w.isalpha() and len(w) > 3)
    words = {w.lower() for d in raw_articles() for w in WORD.findall(clean_article(d).text)}
    common = sorted(w for w in words if zipf(w) >= 4.5)
    return rare, common


def stream(n: int, per_minute: int, seed: int = 13) -> list[StoryArticle]:
    """`n` synthetic articles in event-time order. Each belongs to a story drawn from the
    stories of the last hours (a new one with probability 0.3): its text mixes 25 words of
    the story's own (of 40), 120 common words, and the story's country."""
    rng = random.Random(seed)
    rare, common = vocabulary()
    stories: list[list[str]] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    articles = []
    for i in range(n):
        if not stories or rng.random() < 0.3:
            stories.append(rng.sample(rare, 40))
        story = rng.randrange(max(0, len(stories) - 200), len(stories))
        words = rng.sample(stories[story], 25) + rng.choices(common, k=120)
        rng.shuffle(words)
        articles.append(
            StoryArticle(
                id=f"bench-{i:07d}",
                url=f"https://example.com/{i}",
                source=f"outlet-{rng.randrange(40)}",
                title=None,
                text=" ".join(words) + ".",
                event_time=start + timedelta(minutes=i / per_minute),
                countries=((COUNTRIES[story % len(COUNTRIES)], 1.0),),
                persons=(f"Person {story}",),
                orgs=(f"Org {rng.randrange(200)}",),
            )
        )
    return articles


def rss_kib() -> int:
    """Peak resident memory of this process, KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--per-minute", type=int, default=2)
    args = parser.parse_args()
    articles = stream(args.articles, args.per_minute)
    load()
    store: dict[bytes, bytes] = {}
    clusterer = StoryClusterer(store, StoryParams())
    before = rss_kib()
    started, cpu_started = time.perf_counter(), time.process_time()
    for item in articles:
        clusterer.place(item)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    open_stories = clusterer.open_stories
    stored = sum(len(k) + len(v) for k, v in store.items())
    largest = max(len(k) + len(v) for k, v in store.items())
    print(
        f"articles={len(articles)} rate={len(articles) / cpu:,.0f} articles/s per core (CPU "
        f"time; {len(articles) / elapsed:,.0f}/s by the wall clock on this shared machine) "
        f"joins={clusterer.joins} new_stories={clusterer.new_stories} closed={clusterer.closed}"
    )
    print(
        f"open_stories={open_stories} stored_bytes_per_open_story={stored / open_stories:,.0f} "
        f"largest_stored_story={largest:,} "
        f"peak_rss_growth_per_open_story={(rss_kib() - before) * 1024 / open_stories:,.0f} bytes"
    )


if __name__ == "__main__":
    main()
