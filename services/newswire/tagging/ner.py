"""The statistical NER model: a spaCy pipeline installed from PyPI, loaded by name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from newswire.tagging.spans import NerSpan

# Tagging needs entities only. The parser, lemmatizer and attribute ruler are skipped;
# en_core_web_sm's NER listens to its own tok2vec, so that one stays.
_NOT_NEEDED = ("parser", "lemmatizer", "attribute_ruler", "senter", "tagger")
WANTED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})


class ModelNotInstalledError(RuntimeError):
    """The configured spaCy pipeline package is not installed."""


@lru_cache(maxsize=2)
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
            NerSpan(ent.label_, ent.start_char, ent.end_char, ent.text)
            for ent in doc.ents
            if ent.label_ in WANTED_LABELS
        ]
        for doc in docs
    ]


def run_ner(texts: list[str], model_name: str, batch_size: int = 32) -> list[list[NerSpan]]:
    """NER spans for every text, batched through `nlp.pipe`."""
    nlp = load_model(model_name)
    return entity_spans(nlp.pipe(texts, batch_size=batch_size))
