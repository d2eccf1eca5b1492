"""Tagging throughput: countries alone, spaCy NER alone (loaded as the worker's NER
processes load it: the ner component alone, OpenBLAS on one thread), and full tagging (NER on a
process pool, countries and entities in this process), in one run on the same texts; the
resident memory of this process (gazetteers) and the pool (models); and what a second
language's model costs a pool process when its first article arrives.

    cd benchmarks && ../.venv/bin/python bench_tagging.py [--rounds N] [--processes P]

Targets: country tagging >= 2,000 articles/s per core; full tagging >= 1.5x the
single-process spaCy rate by using both cores; worker memory <= 700 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from pathlib import Path

from corpus import raw_articles
from newswire.clean import clean_article
from newswire.config import Settings
from newswire.tagging.countries import tag_countries
from newswire.tagging.gazetteer import load_gazetteer
from newswire.tagging.ner import load_model
from newswire.tagging.service import TaggingService


def rss_mb(pid: int) -> float:
    """Resident set size of one process, in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    texts = [clean_article(d).text for d in raw_articles()] * args.rounds
    model = Settings.model_construct().ner_model

    load_gazetteer()
    started, cpu_started = time.perf_counter(), time.process_time()
    for text in texts:
        tag_countries(text)
    country_rate = len(texts) / (time.perf_counter() - started)
    # CPU time too: on a shared machine the wall clock also counts time spent descheduled,
    # and "per core" means per second of one core actually given to this process.
    country_cpu_rate = len(texts) / max(time.process_time() - cpu_started, 1e-9)
    # What a worker's own process holds (interpreter, libraries, gazetteer), measured before
    # this process loads a model of its own for the baseline: workers keep models in the pool.
    parent_rss = rss_mb(os.getpid())

    nlp = load_model(model)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    spacy_rate = len(texts) / (time.perf_counter() - started)

    service = TaggingService(model, args.processes, language_models={"fr": "fr_core_news_sm"})
    load_s = service.start()

    async def run() -> float:
        english = ["en"] * 64  # as the worker passes them: detected while cleaning
        await service.tag_many(texts[:64], english)  # warm the pool
        began = time.perf_counter()
        for i in range(0, len(texts), 64):
            batch = texts[i : i + 64]
            await service.tag_many(batch, english[: len(batch)])
        return len(texts) / (time.perf_counter() - began)

    full_rate = asyncio.run(run())
    children = [p.pid for p in multiprocessing.active_children()]
    pool_rss = sum(rss_mb(pid) for pid in children if pid)
    worker_rss = parent_rss + pool_rss
    french = "La Syrie et le Liban ont signé un accord à Damas, a annoncé Emmanuel Macron."
    asyncio.run(service.tag_many([french] * 2 * args.processes, ["fr"] * 2 * args.processes))
    pool_with_french = sum(rss_mb(pid) for pid in children if pid)
    service.close()

    print(f"articles={len(texts)} cores={os.cpu_count()} pool_processes={args.processes}")
    print(
        f"country_tagging_articles_per_s={country_rate:.0f} wall, {country_cpu_rate:.0f} per "
        "CPU second (one core; target >= 2000)"
    )
    print(
        f"spacy_ner_alone_articles_per_s={spacy_rate:.0f} (one process, loaded as the worker loads it: ner alone, OpenBLAS)"
    )
    print(f"full_tagging_articles_per_s={full_rate:.0f} (NER + countries + entities on the pool)")
    print(f"full_vs_spacy_ratio={full_rate / spacy_rate:.2f} (target >= 1.5)")
    print(f"model_load_s={load_s:.1f}")
    print(
        f"worker_rss_mb={worker_rss:.0f} (worker process {parent_rss:.0f} + pool {pool_rss:.0f},"
        " models loaded; target <= 700)"
    )
    print(
        f"french_model_extra_mb={pool_with_french - pool_rss:.0f} (whole pool, after the first"
        f" French articles; {args.processes} processes)"
    )


if __name__ == "__main__":
    main()
