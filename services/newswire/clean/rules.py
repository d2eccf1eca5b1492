"""Loads the boilerplate rules (a data file) once, as fast look-up structures."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """Boilerplate line rules: whole lines, line prefixes and phrases, and what paywall or
    consent stubs say (all lower case)."""

    exact_lines: frozenset[str]
    line_prefixes: tuple[str, ...]
    line_phrases: tuple[str, ...]
    stub_phrases: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def default_rules() -> BoilerplateRules:
    """The rules shipped in `boilerplate.yaml`, parsed once per process."""
    text = (
        resources.files("newswire.clean").joinpath("boilerplate.yaml").read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    return BoilerplateRules(
        exact_lines=frozenset(s.lower() for s in data["exact_lines"]),
        line_prefixes=tuple(s.lower() for s in data["line_prefixes"]),
        line_phrases=tuple(s.lower() for s in data["line_phrases"]),
        stub_phrases=tuple(s.lower() for s in data.get("stub_phrases", ())),
    )
