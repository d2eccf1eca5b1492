"""The statistical NER models: spaCy pipelines installed from PyPI, loaded by name.

Each language has its own pipeline or none: the English model never reads French.
Labels are mapped onto one set (a French pipeline's PER is PERSON).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from newswire.tagging.chunks import split_for_ner
from newswire.tagging.spans import NerSpan

# Tagging needs entities only. The parser, lemmatizer and attribute ruler are skipped;
# en_core_web_sm's NER listens to its own tok2vec, so that one stays.
_NOT_NEEDED = ("parser", "lemmatizer", "attribute_ruler", "senter", "tagger", "morphologizer")
# English (OntoNotes) labels as they are; the WikiNER labels of other pipelines mapped
# onto them. MISC (events, works, nationalities mixed) is left out.
_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "LOC": "LOC",
    "NORP": "NORP",
    "FAC": "FAC",
}
WANTED_LABELS = frozenset(_LABELS.values())


class ModelNotInstalledError(RuntimeError):
    """The configured spaCy pipeline package is not installed."""


def installed(name: str) -> bool:
    """Whether the spaCy pipeline package `name` is installed (without importing spaCy)."""
    return importlib.util.find_spec(name) is not None


def model_for(
    language: str | None, english_model: str | None, language_models: Mapping[str, str]
) -> str | None:
    """The NER model for an article in `language`: the English model for English (and
    for text whose language is unknown), the configured and installed model of another
    language, else None (countries only)."""
    if language in {None, "en"}:
        return english_model
    name = language_models.get(language)
    return name if name and installed(name) else None


@lru_cache(maxsize=4)
def load_model(name: str) -> Any:
    """The spaCy pipeline package `name`, with only what NER needs enabled. It must be
    pip-installed (nothing is downloaded at run time)."""
    import spacy  # noqa: PLC0415 - heavy; only processes that tag load it

    try:
        nlp = spacy.load(name, exclude=list(_NOT_NEEDED))
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy pipeline {name!r} is not installed; pip install the package that carries it "
            "(see NEWSWIRE_NER_MODEL in docs/configuration.md)"
        ) from exc
    return nlp


def entity_spans(docs: Iterable[Any]) -> list[list[NerSpan]]:
    """The wanted entities of each processed spaCy doc, as plain spans."""
    return [
        [
            NerSpan(_LABELS[ent.label_], ent.start_char, ent.end_char, ent.text)
            for ent in doc.ents
            if ent.label_ in _LABELS
        ]
        for doc in docs
    ]


def run_ner(
    texts: list[str], model_name: str, batch_size: int = 32, max_chars: int | None = None
) -> list[list[NerSpan]]:
    """NER spans for every text, batched through `nlp.pipe`. A text longer than the
    model's `max_length` (or `max_chars`, when smaller) is read in pieces cut at paragraph
    or sentence ends, its spans moved back to offsets in the whole text."""
    nlp = load_model(model_name)
    limit = min(nlp.max_length, max_chars or nlp.max_length)
    pieces: list[tuple[int, int, str]] = [
        (index, offset, piece)
        for index, text in enumerate(texts)
        for offset, piece in split_for_ner(text, limit)
    ]
    spans: list[list[NerSpan]] = [[] for _ in texts]
    found = entity_spans(nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size))
    for (index, offset, _), piece_spans in zip(pieces, found, strict=True):
        spans[index] += [
            NerSpan(s.label, s.start + offset, s.end + offset, s.text) for s in piece_spans
        ]
    return spans
