"""Reads articles from files, folders, JSON Lines and stdin for the CLI."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import orjson
from pydantic import ValidationError

from newswire.models import RawArticle

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}


def content_digest(body: str) -> str:
    """A short, stable digest of a text: the same text always gives the same digest."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _safe_id(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._:-" else "-" for ch in text)[:110]


def article_from_text(
    name: str | None,
    body: str,
    *,
    source: str,
    body_format: str = "text",
    url: str | None = None,
    article_id: str | None = None,
) -> RawArticle:
    """A raw article for a text or HTML document called `name` (None for stdin).

    Without a URL, the id and the URL derive from the content: the same text read twice is
    the same article, two different texts never collide, and an edited file is a new
    article (give `article_id` or `url` to keep one identity across edits). With a URL and
    no id, the id is the file name's stem."""
    digest = content_digest(body)
    stem = _safe_id(Path(name).stem) if name else ""
    if article_id is None:
        if url is None:
            article_id = f"{stem}-{digest}" if stem else f"text-{digest}"
        else:
            article_id = stem or None
    data: dict[str, object] = {
        "url": url or f"urn:newswire:text:{digest}",
        "source": source,
        "body": body,
        "body_format": body_format,
        "scraper_id": "newswire-cli",
    }
    if article_id is not None:
        data["id"] = article_id
    return RawArticle.model_validate(data, strict=False)


def articles_from_jsonl(stream: TextIO, name: str = "<stdin>") -> Iterator[RawArticle]:
    """One raw article per non-empty line; raises ValueError naming the file and the line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield RawArticle.model_validate(orjson.loads(line), strict=False)
        except ValueError as exc:
            raise ValueError(f"{name}, line {number}: {_reason(exc)}") from exc


def _reason(exc: ValueError) -> str:
    """A validation or JSON error in one line per problem, without pydantic's URLs."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(article)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
    if isinstance(exc, orjson.JSONDecodeError):
        return f"not valid JSON ({exc})"
    return str(exc)


def articles_from_path(path: Path, *, source: str) -> Iterator[RawArticle]:
    """Articles from a file (text, HTML, JSON or JSON Lines) or, recursively and sorted, a folder."""
    if path.is_dir():
        for child in sorted(
            p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
        ):
            yield from articles_from_path(child, source=source)
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open(encoding="utf-8") as stream:
            yield from articles_from_jsonl(stream, str(path))
    elif suffix == ".json":
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{path}: {_reason(exc)}") from exc
        for index, item in enumerate(data if isinstance(data, list) else [data]):
            try:
                yield RawArticle.model_validate(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"{path}, item {index}: {_reason(exc)}") from exc
    elif suffix in HTML_SUFFIXES:
        yield article_from_text(
            path.name, path.read_text(encoding="utf-8"), source=source, body_format="html"
        )
    else:
        yield article_from_text(path.name, path.read_text(encoding="utf-8"), source=source)


def articles_from_stdin(
    *,
    source: str,
    stream: TextIO | None = None,
    url: str | None = None,
    article_id: str | None = None,
) -> Iterator[RawArticle]:
    """JSON Lines from stdin when it starts with '{', else the whole input as one text article
    (its id from its content unless `article_id` or `url` is given)."""
    data = (stream or sys.stdin).read()
    if data.lstrip().startswith("{"):
        from io import StringIO  # noqa: PLC0415

        yield from articles_from_jsonl(StringIO(data), "<stdin>")
    elif data.strip():
        yield article_from_text(None, data, source=source, url=url, article_id=article_id)
