"""The tagging pool splits batches so both cores finish together, and keeps input order."""

from __future__ import annotations

from newswire.tagging.result import Tags
from newswire.tagging.service import TaggingService, balanced_parts, reading_language
from newswire.tagging.spans import NerSpan


def test_parts_balance_total_length_not_count() -> None:
    lengths = [9000, 100, 100, 100, 8000, 100]
    parts = balanced_parts(lengths, 2)
    totals = sorted(sum(lengths[i] for i in part) for part in parts)
    assert totals == [8400, 9000]  # three and three in order would be 9200 against 8200
    assert sorted(i for part in parts for i in part) == list(range(len(lengths)))
    assert all(part == sorted(part) for part in parts)


def test_fewer_texts_than_parts_leave_no_empty_part() -> None:
    assert balanced_parts([5], 4) == [[0]]
    assert balanced_parts([], 2) == []


async def test_results_come_back_in_input_order() -> None:
    service = TaggingService(ner_model=None, processes=0)
    texts = ["Syria", "x" * 500 + " Iran", "Talks in Moscow", "Canada " * 50, "Chad and Jordan"]
    service.start()
    service.processes = 3  # split as a pool of three would, on the thread executor
    try:
        results = await service.tag_many(texts)
    finally:
        service.close()
    assert all(isinstance(r, Tags) for r in results)
    firsts = [r.countries[0].code if isinstance(r, Tags) and r.countries else None for r in results]
    assert firsts[:4] == ["SY", "IR", "RU", "CA"]


READ: list[list[str]] = []


def recording_job(texts: list[str], model: str, max_chars: int | None) -> list[list[NerSpan]]:
    """A stand-in model that finds every 'Iran' and notes what it was given."""
    READ.append(list(texts))
    return [
        [NerSpan("GPE", i, i + 4, "Iran")] if (i := text.find("Iran")) >= 0 else []
        for text in texts
    ]


async def test_the_model_reads_each_piece_once_and_never_again_while_cached() -> None:
    READ.clear()
    service = TaggingService(ner_model=None, processes=0, job=recording_job, cache_entries=100)
    service.start()
    service.ner_model = "stand-in"  # start() loaded no model; the job stands in for one
    shared = "Officials from Iran arrived in the capital."
    texts = [
        f"{shared}\n\nit was quiet.\n\nTalks went on in Oman.",
        f"Talks went on in Oman.\n\n{shared}",
    ]
    try:
        first = await service.tag_many(texts, languages=["en", "en"])
        again = await service.tag_many(texts[:1], languages=["en"])
    finally:
        service.close()
    read = [piece for batch in READ for piece in batch]
    assert sorted(read) == sorted([shared, "Talks went on in Oman."])  # once each, no lower case
    assert len(READ) == 1  # the second call was answered from the cache
    assert first[0] == again[0]
    assert all(isinstance(r, Tags) and [c.code for c in r.countries][:1] for r in first)


def test_the_cleaning_stages_language_is_read_as_detection_would_be() -> None:
    assert reading_language("fr", 0.93) == "fr"
    assert reading_language("de", 0.31) is None  # unsure: read as English
    assert reading_language("fr", None) == "fr"  # the source said so
    assert reading_language("en-US", None) == "en"  # a region tag does not hide the model
    assert reading_language("pt-BR", None) == "pt"
    assert reading_language(None, None) is None
