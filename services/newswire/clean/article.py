"""Cleans one article: HTML or text in, the article's own paragraphs out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newswire.clean.html import html_to_lines
from newswire.clean.lines import filter_lines
from newswire.clean.rules import default_rules
from newswire.clean.text import normalise_line, normalise_unicode, paragraphs


@dataclass(frozen=True, slots=True)
class CleanResult:
    """The clean text (paragraphs separated by blank lines), the headline, and what was removed."""

    text: str
    title: str | None
    removed: tuple[tuple[str, str], ...]


class EmptyArticleError(ValueError):
    """Nothing of the article was left after cleaning."""


class StubPageError(EmptyArticleError):
    """The page holds only a paywall or consent notice, not the article."""


# A stub is short: a notice and perhaps a headline. A page that also has a sentence of its
# own (a teaser paragraph, or a short article with a "continue reading" link) is kept.
STUB_MAX_WORDS = 60
_OWN_SENTENCE_WORDS = 6


def stub_notice(lines: list[str]) -> str | None:
    """The paywall or consent phrase that `lines` (what cleaning kept) amount to, if they
    are short, say one, and hold no sentence of their own; None otherwise."""
    if len(" ".join(lines).split()) > STUB_MAX_WORDS:
        return None
    phrases = default_rules().stub_phrases
    found = None
    for line in lines:
        lowered = line.casefold()
        phrase = next((p for p in phrases if p in lowered), None)
        if phrase is not None:
            found = found or phrase
        elif line.rstrip().endswith((".", "!", "?")) and len(line.split()) >= _OWN_SENTENCE_WORDS:
            return None  # a sentence that is not the notice: there is an article here
    return found


def clean_article(
    body: str, body_format: Literal["text", "html"] = "text", title: str | None = None
) -> CleanResult:
    """Strip page furniture and boilerplate from `body`, normalise Unicode and whitespace,
    and keep every line of the article itself. The headline is the given `title`, else
    the first kept line when it reads like one. Raises EmptyArticleError if nothing is left,
    StubPageError (one of those) when all that is left is a paywall or consent notice."""
    if body_format == "html":
        page_title, lines = html_to_lines(body)
        lines = [p for line in lines for p in paragraphs(line)]
        title = title or (normalise_line(normalise_unicode(page_title)) if page_title else None)
    else:
        lines = paragraphs(body)
    kept, removed = filter_lines(lines)
    if not kept:
        raise EmptyArticleError("no article text left after removing boilerplate")
    notice = stub_notice(kept)
    if notice is not None:
        raise StubPageError(
            f"only a paywall or consent notice, no article text (it says {notice!r}): "
            "fetch the page with access to the article"
        )
    if title is None and len(kept[0]) <= 200 and not kept[0].endswith((".", "!", "?")):
        title = kept[0]
    return CleanResult(text="\n\n".join(kept), title=title, removed=tuple(removed))
