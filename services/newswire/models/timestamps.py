"""The one date-time type every event uses: RFC 3339 with a time zone, as the published
JSON Schema's `format: date-time` says."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Strict

# pydantic alone also takes "1700000000", "2024-01-01 00:00:00Z" and a time without
# seconds, which a consumer checking against the schema would refuse.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z")


def rfc3339_text_only(value: object) -> object:
    """`value` unchanged when it is a datetime or RFC 3339 text (pydantic then parses it and
    requires the time zone); anything else raises a ValueError saying the expected form."""
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.match(value)):
        return value
    raise ValueError("must be an RFC 3339 date-time with a time zone, like 2024-05-01T12:00:00Z")


# Strict models see JSON text as a Python str once a before-validator has run, and strict
# Python mode takes only datetime objects; the check above is the strictness instead.
Timestamp = Annotated[AwareDatetime, Strict(False), BeforeValidator(rfc3339_text_only)]
