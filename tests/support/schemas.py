"""The published JSON Schemas, checked by the jsonschema package rather than pydantic."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for `schemas/<name>.v1.json`."""
    return Draft202012Validator(json.loads((SCHEMAS / f"{name}.v1.json").read_text()))
