"""Cleans one article: HTML or text in, the article's own paragraphs out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newswire.clean.html import html_to_lines
from newswire.clean.lines import filter_lines
from newswire.clean.text import normalise_line, normalise_unicode, paragraphs


@dataclass(frozen=True, slots=True)
class CleanResult:
    """The clean text (paragraphs separated by blank lines), the headline, and what was removed."""

    text: str
    title: str | None
    removed: tuple[tuple[str, str], ...]


class EmptyArticleError(ValueError):
    """Nothing of the article was left after cleaning."""


def clean_article(
    body: str, body_format: Literal["text", "html"] = "text", title: str | None = None
) -> CleanResult:
    """Strip page furniture and boilerplate from `body`, normalise Unicode and whitespace,
    and keep every line of the article itself. The headline is the given `title`, else
    the first kept line when it reads like one. Raises EmptyArticleError if nothing is left."""
    if body_format == "html":
        page_title, lines = html_to_lines(body)
        lines = [p for line in lines for p in paragraphs(line)]
        title = title or (normalise_line(normalise_unicode(page_title)) if page_title else None)
    else:
        lines = paragraphs(body)
    kept, removed = filter_lines(lines)
    if not kept:
        raise EmptyArticleError("no article text left after removing boilerplate")
    if title is None and len(kept[0]) <= 200 and not kept[0].endswith((".", "!", "?")):
        title = kept[0]
    return CleanResult(text="\n\n".join(kept), title=title, removed=tuple(removed))
