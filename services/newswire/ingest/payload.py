"""Turns what a scraper sends (a mapping, JSON bytes, a JSON array) into validated raw
articles, with errors that name the item and field, exactly as the worker would judge them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from newswire.models import RawArticle
from newswire.wire import encode


@dataclass(frozen=True, slots=True)
class FieldError:
    """One reason an item was refused: which item, which field, why."""

    index: int
    field: str
    message: str
    type: str

    def as_json(self) -> dict[str, object]:
        """The error as a JSON object for API responses."""
        return {
            "index": self.index,
            "field": self.field,
            "message": self.message,
            "type": self.type,
        }


class InvalidArticleError(ValueError):
    """One or more articles failed validation; `errors` says which and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"article {first.index}: {first.field}: {first.message}{more}")


# What a field's pattern means, said for people instead of as a regular expression.
_PATTERN_MEANS = {
    "url": "must be an absolute URL such as https://example.com/story (a scheme, a colon, "
    "no spaces)",
    "id": "may hold only letters, digits and . _ : - (1 to 128 characters)",
    "language": "must be a language tag such as en or pt-BR",
}


def _field_errors(index: int, exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        if err["type"] == "default_factory_not_called":
            continue  # a default derived from a field that is wrong: that field says why
        field = ".".join(str(part) for part in err["loc"]) or "(article)"
        message = err["msg"]
        if err["type"] == "string_pattern_mismatch" and field in _PATTERN_MEANS:
            message = f"{_PATTERN_MEANS[field]}; got {str(err.get('input'))[:80]!r}"
        errors.append(FieldError(index=index, field=field, message=message, type=err["type"]))
    return errors


def validate_article(
    item: RawArticle | Mapping[str, Any], index: int = 0, max_bytes: int | None = None
) -> RawArticle:
    """`item` as a RawArticle. Mappings go through JSON and the strict JSON validator the
    worker uses, so anything accepted here is accepted there; with `max_bytes`, so is the
    size the worker allows. Raises InvalidArticleError."""
    article = _as_article(item, index)
    if max_bytes is not None:
        size = len(encode(article))
        if size > max_bytes:
            raise InvalidArticleError(
                [
                    FieldError(
                        index, "body", f"article is {size} bytes; at most {max_bytes}", "too_large"
                    )
                ]
            )
    return article


def _as_article(item: RawArticle | Mapping[str, Any], index: int) -> RawArticle:
    if isinstance(item, RawArticle):
        return item
    if not isinstance(item, Mapping):
        raise InvalidArticleError(
            [FieldError(index, "(article)", "an article must be a JSON object", "object_type")]
        )
    try:
        non_finite = _non_finite_field(item)
    except RecursionError:
        raise InvalidArticleError(
            [FieldError(index, "(article)", "nested too deeply to be JSON", "json_depth")]
        ) from None
    if non_finite is not None:
        raise InvalidArticleError(
            [
                FieldError(
                    index, non_finite, "NaN and infinity are not JSON numbers", "finite_number"
                )
            ]
        )
    try:
        data = orjson.dumps(item, default=_json_default)
    except TypeError as exc:
        raise InvalidArticleError(
            [FieldError(index, "(article)", f"not serialisable as JSON: {exc}", "json_type")]
        ) from exc
    try:
        return RawArticle.model_validate_json(data)
    except ValidationError as exc:
        raise InvalidArticleError(_field_errors(index, exc)) from exc


def _non_finite_field(value: object, path: str = "") -> str | None:
    # orjson writes NaN and infinities as null: the scraper's value would be replaced,
    # not refused. The dotted path of the first one found, if any.
    if isinstance(value, float):
        return None if math.isfinite(value) else path or "(article)"
    if isinstance(value, Mapping):
        children: Iterable[tuple[str, object]] = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        children = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, child in children:
        found = _non_finite_field(child, f"{path}.{key}" if path else key)
        if found is not None:
            return found
    return None


def _json_default(value: object) -> object:
    # datetimes and dates are handled by orjson itself; sets and tuples become lists.
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def validate_articles(
    items: Iterable[RawArticle | Mapping[str, Any]], max_bytes: int | None = None
) -> list[RawArticle]:
    """Every item validated; raises InvalidArticleError listing all bad items (none is sent
    when any is bad, so a batch is accepted or refused whole)."""
    articles: list[RawArticle] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        try:
            articles.append(validate_article(item, index, max_bytes))
        except InvalidArticleError as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidArticleError(errors)
    return articles


def parse_json_payload(body: bytes) -> list[Any]:
    """The items of a JSON request body: one object, an array of objects, or an object with an
    `articles` array. Raises orjson.JSONDecodeError when the body is not JSON."""
    data = orjson.loads(body)
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        return list(data["articles"])
    if isinstance(data, list):
        return data
    return [data]


def parse_ndjson_payload(body: bytes) -> list[Any]:
    """The items of a JSON Lines body, one object a line; blank lines are skipped.
    Raises ValueError naming the first line that is not JSON."""
    items = []
    for number, line in enumerate(body.splitlines(), start=1):
        if line.strip():
            try:
                items.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON: {exc}") from exc
    return items
