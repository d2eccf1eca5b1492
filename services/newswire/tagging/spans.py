"""NER spans as plain values, so they cross process boundaries cheaply."""

from __future__ import annotations

from typing import NamedTuple


class NerSpan(NamedTuple):
    """One entity the NER model found: label (PERSON, ORG, GPE, ...) and character offsets."""

    label: str
    start: int
    end: int
    text: str
