"""Cleaning and dedup throughput per core, and dedup state per remembered article.

    .venv/bin/python benchmarks/bench_text.py [--rounds N]

Targets (issue 4): cleaning >= 1,000 articles/s per core, dedup (fingerprint + lookup)
>= 1,000 articles/s per core, state <= 512 bytes per article.
"""

from __future__ import annotations

import argparse
import time

from corpus import raw_articles
from newswire.clean import clean_article
from newswire.dedup.fingerprint import fingerprint
from newswire.dedup.index import Candidate, DedupIndex
from newswire.dedup.shingles import content_hash
from newswire.dedup.textstore import stored_bytes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    docs = raw_articles()
    n = len(docs) * rounds

    started = time.perf_counter()
    clean = [clean_article(d).text for _ in range(rounds) for d in docs]
    clean_rate = n / (time.perf_counter() - started)

    store: dict[bytes, bytes] = {}
    index = DedupIndex(store, threshold=0.4, window_s=1e9)
    started = time.perf_counter()
    for i, text in enumerate(clean):
        fp = fingerprint(text)
        # Every round is a new story id: all are remembered, as in a stream of new articles.
        index.observe(
            Candidate(
                f"article-{i:012d}", f"https://example.com/{i}", content_hash(text + str(i)), fp
            ),
            now=i,
        )
    dedup_rate = n / (time.perf_counter() - started)
    remembered = sum(1 for k in store if k[:1] == b"a")

    print(f"articles={n} (corpus of {len(docs)}, {rounds} rounds), one core")
    print(f"cleaning_articles_per_s={clean_rate:.0f} (target >= 1000)")
    print(
        f"dedup_articles_per_s={dedup_rate:.0f} (fingerprint + lookup + remember; target >= 1000)"
    )
    print(
        f"state_bytes_per_article={stored_bytes(store) / remembered:.0f} as stored in the table (target <= 512)"
    )
    print(
        f"state_bytes_per_article_raw={sum(len(k) + len(v) for k, v in store.items()) / remembered:.0f}"
    )


if __name__ == "__main__":
    main()
