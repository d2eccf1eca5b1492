"""Scores tagging against gold labels (the format of ../shared/eval/gold_dev.jsonl).

Each document goes through the worker's own path: clean, NER, country and entity tagging.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from newswire.clean import clean_article
from newswire.config import get_settings
from newswire.scoring import Confusion
from newswire.tagging.entities import strip_title
from newswire.tagging.result import Tags
from newswire.tagging.service import tag_batch

_PUNCT = re.compile(r"[^\w\s]")
# A gold note that names another acceptable primary: "(US defensible: the debate in ...)".
_DEFENSIBLE = re.compile(r"\b([A-Z]{2}) defensible\b")


def defensible_primaries(gold: dict[str, Any]) -> set[str]:
    """The gold primary and every country its note calls defensible (the README's lenient
    variant); empty when the gold primary is null."""
    if gold.get("primary") is None:
        return set()
    return {gold["primary"], *_DEFENSIBLE.findall(gold.get("notes", ""))}


def normalise_name(name: str) -> str:
    """Case, titles, punctuation and a leading 'the' ignored."""
    name = strip_title(" ".join(name.split()))
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    return " ".join(_PUNCT.sub(" ", name.replace("’", "'").replace("'", "")).casefold().split())


def names_match(predicted: str, gold: str) -> bool:
    """Equal after normalisation, or one side is a single word equal to the other's surname."""
    p, g = normalise_name(predicted), normalise_name(gold)
    if p == g:
        return True
    p_tokens, g_tokens = p.split(), g.split()
    return (len(p_tokens) == 1 and bool(g_tokens) and p_tokens[0] == g_tokens[-1]) or (
        len(g_tokens) == 1 and bool(p_tokens) and g_tokens[0] == p_tokens[-1]
    )


def match_counts(predicted: list[str], gold: list[str]) -> tuple[int, int, int]:
    """One-to-one greedy matching of names: (tp, fp, fn)."""
    remaining = list(gold)
    tp = 0
    for name in predicted:
        for i, candidate in enumerate(remaining):
            if names_match(name, candidate):
                tp += 1
                del remaining[i]
                break
    return tp, len(predicted) - tp, len(remaining)


def load_text(texts: Path, doc: str) -> str:
    """The text of gold document `doc`: line N of DIR/NAME for 'NAME#N', else the file DIR/ID."""
    name, _, line = doc.partition("#")
    data = (texts / name).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.split("\n")[int(line)] if line else text


def tag_documents(raw_texts: list[str], model: str) -> list[Tags]:
    """Tag raw documents the way the worker does: clean, then tag (each document's
    language detected, its NER model chosen by it)."""
    results = tag_batch(
        [clean_article(t).text for t in raw_texts],
        model,
        language_models=get_settings().ner_language_model_map,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [r for r in results if isinstance(r, Tags)]


def prediction_record(doc: str, tags: Tags) -> dict[str, Any]:
    """One prediction line in the gold file's own format."""
    return {
        "doc": doc,
        "countries": sorted(c.code for c in tags.countries),
        "primary": tags.primary_country,
        "persons": [e.name for e in tags.entities if e.kind == "person"],
        "orgs": [e.name for e in tags.entities if e.kind == "org"],
    }


def evaluate_gold(gold_path: Path, texts: Path, predictions: Path | None = None) -> Iterator[str]:
    """Score every gold document; yields report lines, the last one
    `countries_f1=A persons_f1=B orgs_f1=C primary_acc=D`."""
    gold = [orjson.loads(line) for line in gold_path.read_bytes().splitlines() if line.strip()]
    tags = tag_documents([load_text(texts, g["doc"]) for g in gold], get_settings().ner_model)
    counts = {"countries": Confusion(), "persons": Confusion(), "orgs": Confusion()}
    primary_right = primary_total = primary_lenient = 0
    records = []
    for g, t in zip(gold, tags, strict=True):
        record = prediction_record(g["doc"], t)
        records.append(record)
        predicted, expected = set(record["countries"]), set(g["countries"])
        counts["countries"].add(
            len(predicted & expected), len(predicted - expected), len(expected - predicted)
        )
        counts["persons"].add(*match_counts(record["persons"], g["persons"]))
        counts["orgs"].add(*match_counts(record["orgs"], g["orgs"]))
        if g["primary"] is not None:
            primary_total += 1
            primary_right += record["primary"] == g["primary"]
            primary_lenient += record["primary"] in defensible_primaries(g)
    if predictions:
        predictions.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    yield f"documents={len(gold)}"
    for name, c in counts.items():
        yield f"{name}: precision={c.precision:.3f} recall={c.recall:.3f} f1={c.f1:.3f} (tp={c.tp} fp={c.fp} fn={c.fn})"
    accuracy = primary_right / primary_total if primary_total else 1.0
    yield f"primary: accuracy={accuracy:.3f} ({primary_right}/{primary_total})"
    if primary_total:
        yield (
            f"primary, lenient (a country the note calls defensible counts): "
            f"accuracy={primary_lenient / primary_total:.3f} ({primary_lenient}/{primary_total})"
        )
    yield (
        f"countries_f1={counts['countries'].f1:.3f} persons_f1={counts['persons'].f1:.3f} "
        f"orgs_f1={counts['orgs'].f1:.3f} primary_acc={accuracy:.3f}"
    )
