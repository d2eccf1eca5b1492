"""Reads articles from files, folders, JSON Lines and stdin for the CLI."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import orjson

from newswire.models import RawArticle

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}


def article_from_text(
    name: str, body: str, *, source: str, body_format: str = "text", url: str | None = None
) -> RawArticle:
    """A raw article for a text or HTML document called `name` (its id is the name's stem)."""
    stem = Path(name).stem
    article_id = (
        "".join(ch if ch.isalnum() or ch in "._:-" else "-" for ch in stem)[:128] or "article"
    )
    return RawArticle.model_validate(
        {
            "id": article_id,
            "url": url or f"urn:newswire:file:{Path(name).name}",
            "source": source,
            "body": body,
            "body_format": body_format,
            "scraper_id": "newswire-cli",
        },
        strict=False,
    )


def articles_from_jsonl(stream: TextIO) -> Iterator[RawArticle]:
    """One raw article per non-empty line; raises ValueError naming the bad line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield RawArticle.model_validate(orjson.loads(line), strict=False)
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from exc


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
            yield from articles_from_jsonl(stream)
    elif suffix == ".json":
        data = orjson.loads(path.read_bytes())
        for item in data if isinstance(data, list) else [data]:
            yield RawArticle.model_validate(item, strict=False)
    elif suffix in HTML_SUFFIXES:
        yield article_from_text(
            path.name, path.read_text(encoding="utf-8"), source=source, body_format="html"
        )
    else:
        yield article_from_text(path.name, path.read_text(encoding="utf-8"), source=source)


def articles_from_stdin(*, source: str, stream: TextIO | None = None) -> Iterator[RawArticle]:
    """JSON Lines from stdin when it starts with '{', else the whole input as one text article."""
    data = (stream or sys.stdin).read()
    if data.lstrip().startswith("{"):
        from io import StringIO  # noqa: PLC0415

        yield from articles_from_jsonl(StringIO(data))
    elif data.strip():
        yield article_from_text("stdin", data, source=source)
