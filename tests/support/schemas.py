"""The published JSON Schemas, checked by the jsonschema package rather than pydantic."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from newswire.contracts import PUBLIC_EVENTS, schema_filename

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for the current version of event `name`'s schema in `schemas/`."""
    (model,) = (model for model in PUBLIC_EVENTS.values() if model.__name__ == name)
    return Draft202012Validator(json.loads((SCHEMAS / schema_filename(model)).read_text()))
