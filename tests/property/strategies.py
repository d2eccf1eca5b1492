"""Hypothesis strategies shared by the property tests: raw article payloads (valid and not),
timestamps, headers, and sentences of real news text from the Lee corpus."""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

SHARED_EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
# Used only when ../shared/eval is absent, so the properties still run.
FALLBACK_SENTENCES = (
    "Heavy rain flooded the coastal town of Byron Bay on Tuesday.",
    "The Prime Minister, John Howard, said the Government would act within days.",
    "Officials in Canberra said the water would recede by the weekend.",
    "More than 300 firefighters worked through the night near Sydney.",
    "The United Nations Security Council will meet again on Friday.",
    "Shares in Qantas fell 4 per cent after the announcement.",
)

# --- times ---------------------------------------------------------------------------

offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# hypothesis takes naive bounds and attaches the drawn time zone itself.
aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=offsets,
)

# --- raw article payloads ------------------------------------------------------------

ID_ALPHABET = string.ascii_letters + string.digits + "._:-"
valid_ids = st.text(ID_ALPHABET, min_size=1, max_size=128)
valid_urls = st.builds(
    lambda scheme, rest: f"{scheme}:{rest}",
    st.sampled_from(["http", "https", "file", "urn", "x-news+feed"]),
    st.text(st.characters(exclude_categories=("Z", "Cc", "Cs")), min_size=2, max_size=60).filter(
        lambda s: not any(ch.isspace() for ch in s)
    ),
)
valid_languages = st.from_regex(r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\Z")
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
metadata_values = st.dictionaries(st.text(max_size=10), json_scalars, max_size=4)
any_text = st.text(max_size=40)


# Naive ISO date-times, Unix times in a string, a space for the "T": none is RFC 3339.
bad_date_times = (
    st.datetimes().map(datetime.isoformat)
    | any_text
    | st.sampled_from(["0", "1700000000", "1.5", "2024-01-01 00:00:00Z", "2024-01-01T00:00Z"])
)
BAD: dict[str, st.SearchStrategy[Any]] = {
    "url": any_text | st.just("no-scheme") | st.just("https://a b") | st.integers(-9, 9),
    "id": any_text | st.just("") | st.text(ID_ALPHABET, min_size=129, max_size=140),
    "source": st.just("") | st.none() | st.text(min_size=257, max_size=260),
    "title": st.integers(-9, 9) | st.text(min_size=2049, max_size=2050),
    "body": st.just("") | st.none() | st.integers(-9, 9),
    "body_format": any_text,
    "language": any_text,
    # naive date-times are refused, as is anything that is not a date-time
    "published_at": bad_date_times,
    "fetched_at": bad_date_times | st.none(),
    "scraper_id": st.just("") | st.none(),
    "metadata": st.lists(st.integers(-9, 9), max_size=2)
    | st.dictionaries(st.text(max_size=5), st.lists(st.integers(-9, 9)), min_size=1, max_size=2),
    "schema_version": st.integers(-3, 3) | st.just("1"),
}
REQUIRED = ("url", "source", "body")


def valid_fields() -> dict[str, st.SearchStrategy[Any]]:
    """One strategy of valid values per RawArticle field."""
    return {
        "url": valid_urls,
        "id": valid_ids,
        "source": st.text(min_size=1, max_size=256),
        "title": st.none() | st.text(max_size=80),
        "body": st.text(min_size=1, max_size=300),
        "body_format": st.sampled_from(["text", "html"]),
        "language": st.none() | valid_languages,
        "published_at": st.none() | aware_datetimes.map(datetime.isoformat),
        "fetched_at": aware_datetimes.map(datetime.isoformat),
        "scraper_id": st.text(min_size=1, max_size=128),
        "metadata": metadata_values,
        "schema_version": st.just(1),
    }


def valid_raw_payloads() -> st.SearchStrategy[dict[str, Any]]:
    """Raw article payloads built only from valid values."""
    valid = valid_fields()
    return st.fixed_dictionaries(
        {name: valid[name] for name in REQUIRED},
        optional={name: s for name, s in valid.items() if name not in REQUIRED},
    )


@st.composite
def raw_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON object as a scraper might send it: valid, or with one thing wrong (a bad
    value, a required field missing, an unknown field)."""
    payload = dict(draw(valid_raw_payloads()))
    fault = draw(st.sampled_from(["none", "value", "value", "missing", "unknown"]))
    if fault == "value":
        name = draw(st.sampled_from(sorted(BAD)))
        payload[name] = draw(BAD[name])
    elif fault == "missing":
        payload.pop(draw(st.sampled_from(REQUIRED)))
    elif fault == "unknown":
        payload[draw(st.sampled_from(["extra", "Body", "tags"]))] = draw(json_scalars)
    return payload


# --- real text -----------------------------------------------------------------------


@cache
def lee_sentences() -> tuple[str, ...]:
    """Sentences of the Lee corpus (real news prose), whitespace-normalised."""
    sentences: list[str] = []
    for name in ("lee.cor", "lee_background.cor"):
        path = SHARED_EVAL / name
        if path.exists():
            for line in path.read_text(encoding="latin-1").splitlines():
                sentences += [
                    s for s in _SENTENCE_END.split(" ".join(line.split())) if len(s.split()) >= 4
                ]
    return tuple(sentences) or FALLBACK_SENTENCES


def real_paragraphs() -> st.SearchStrategy[list[list[str]]]:
    """One to six paragraphs of one to four distinct real sentences each."""
    sentences = lee_sentences()
    return st.lists(
        st.lists(st.sampled_from(sentences), min_size=1, max_size=4, unique=True),
        min_size=1,
        max_size=6,
    ).filter(lambda ps: len({s for p in ps for s in p}) == sum(len(p) for p in ps))
