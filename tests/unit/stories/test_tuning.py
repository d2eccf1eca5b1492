"""Held-out tuning: parts, random orders, the choice of a cell."""

from __future__ import annotations

from pathlib import Path

from newswire.stories.evaluate import StreamItem, stream_items
from newswire.stories.tuning import (
    Cell,
    Gold,
    Scores,
    _range,
    choose,
    grid,
    score,
    shuffled,
    split_by_file,
)

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


def _items() -> list[StreamItem]:
    # Stand-ins: the tuning helpers look only at `doc` and whether an item is a copy.
    originals = [StreamItem(f"f.cor#{i}", event=object()) for i in range(6)]  # type: ignore[arg-type]
    others = [StreamItem(f"g.txt#{i}", event=object()) for i in range(3)]  # type: ignore[arg-type]
    copy = StreamItem("f.cor#6", original_doc="f.cor#0")
    return [*originals[:3], *others, copy, *originals[3:]]


def test_split_by_file_keeps_stream_order() -> None:
    inside, outside = split_by_file(_items(), "f.cor")
    assert [i.doc for i in inside] == [f"f.cor#{i}" for i in (0, 1, 2, 6, 3, 4, 5)]
    assert [i.doc for i in outside] == ["g.txt#0", "g.txt#1", "g.txt#2"]


def test_shuffled_is_seeded_and_keeps_copies_after_the_originals() -> None:
    items = _items()
    first, again, other = shuffled(items, 1), shuffled(items, 1), shuffled(items, 2)
    assert [i.doc for i in first] == [i.doc for i in again]
    assert [i.doc for i in first] != [i.doc for i in other]
    assert sorted(i.doc for i in first) == sorted(i.doc for i in items)
    assert first[-1].doc == "f.cor#6"


def test_choose_takes_the_best_f1_and_the_first_of_ties_without_orders() -> None:
    low, mid, high = Cell(0, 0, 0.3), Cell(0, 0, 0.4), Cell(0, 0, 0.5)
    results = {low: Scores(1, 0.5, 0.6, 0.9), mid: Scores(1, 1, 0.8, 1), high: Scores(1, 1, 0.8, 1)}
    assert choose(results, [], Gold({}, frozenset()), orders=0) == mid
    results[high] = Scores(1, 1, 0.9, 1)
    assert choose(results, [], Gold({}, frozenset()), orders=3) == high


def test_grid_and_ranges() -> None:
    assert _range("0.30:0.33:0.01") == [0.3, 0.31, 0.32, 0.33]
    cells = grid([0.0, 0.04], [0.5], [0.4, 0.5])
    assert cells[0] == Cell(0.0, 0.5, 0.4)
    assert len(cells) == 4
    assert cells[0].params().member_weight == 0.5


def test_score_of_the_seeds_against_their_story_labels() -> None:
    docs = sorted(p.name for p in SEEDS.glob("*.txt"))
    labels = dict(zip(docs, ["s0", "s1", "meeting", "s3", "meeting"], strict=True))
    gold = Gold(labels, frozenset(docs))
    result = score(stream_items(docs, [SEEDS]), gold, Cell(0.04, 0.5, 0.44).params())
    assert (result.precision, result.recall, result.f1, result.bcubed) == (1.0, 1.0, 1.0, 1.0)
