"""The tagging pool splits batches so both cores finish together, and keeps input order."""

from __future__ import annotations

from newswire.tagging.result import Tags
from newswire.tagging.service import TaggingService, balanced_parts


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
