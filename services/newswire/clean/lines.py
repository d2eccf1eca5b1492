"""Decides, line by line, what is article text and what is page furniture."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newswire.clean.rules import BoilerplateRules, default_rules

# A page title often carries the site's name after a separator: "Story • Site".
_SITE_SUFFIX = re.compile(r"^(?P<title>.{12,}?)\s+[•|–—]\s+(?P<site>[^•|–—]{3,80})$")
_ONLY_DIGITS_OR_PUNCT = re.compile(r"^[\W\d_]+$")
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]$")


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """Whether a line is kept, and if not, which rule removed it."""

    keep: bool
    rule: str = ""
    text: str = ""


def _script_share(line: str, latin: bool) -> float:
    letters = [ch for ch in line if ch.isalpha()]
    if not letters:
        return 0.0
    hits = sum(1 for ch in letters if ("LATIN" in unicodedata.name(ch, "")) == latin)
    return hits / len(letters)


def _lower_key(line: str) -> str:
    return line.casefold().strip(" .:!|•-–—")


@dataclass(slots=True)
class LineFilter:
    """Stateful filter over one article's lines: remembers headlines and site names seen."""

    rules: BoilerplateRules
    latin_article: bool = True
    seen_short: set[str] | None = None
    site_names: set[str] | None = None

    def _without_disclaimer_sentences(self, line: str) -> str:
        """`line` without its sentences that carry a disclaimer phrase ('' if none is left)."""
        phrases = self.rules.line_phrases
        kept = [s for s in _sentences(line) if not any(p in s.casefold() for p in phrases)]
        return " ".join(kept).strip()

    def judge(self, line: str) -> LineVerdict:  # noqa: PLR0911 - one return per rule reads best
        """Keep or drop `line` (already whitespace-normalised), given the lines before it."""
        seen = self.seen_short if self.seen_short is not None else set()
        sites = self.site_names if self.site_names is not None else set()
        self.seen_short, self.site_names = seen, sites
        key = _lower_key(line)
        if not key or _ONLY_DIGITS_OR_PUNCT.match(line):
            return LineVerdict(False, "no-words")
        if key in self.rules.exact_lines:
            return LineVerdict(False, "furniture")
        lowered = line.casefold()
        if lowered.startswith(self.rules.line_prefixes):
            return LineVerdict(False, "link-or-credit")
        if any(phrase in lowered for phrase in self.rules.line_phrases):
            rest = self._without_disclaimer_sentences(line)
            if not rest:
                return LineVerdict(False, "disclaimer")
            if len(rest) < len(line):
                # Text flattened into one paragraph keeps its other sentences, judged like
                # any line: what is left ("." or "Source:") may be furniture itself, and
                # would otherwise be dropped only the next time the text is cleaned.
                verdict = self.judge(rest)
                return verdict if verdict.keep else LineVerdict(False, "disclaimer")
            line, key = rest, _lower_key(rest)
        if key in sites:
            return LineVerdict(False, "site-name")
        headline_like = len(line) <= 200 and not _SENTENCE_END.search(line)
        if headline_like:
            match = _SITE_SUFFIX.match(line)
            if match:
                sites.add(_lower_key(match.group("site")))
                # What is left is judged like any line: it may be furniture itself ("Read
                # more:") or end in another suffix ("Story • Section"), and would otherwise
                # be cut only the next time the clean text is cleaned.
                return self.judge(match.group("title").strip())
        # After the site name is cut, so that the line is judged as it will be kept.
        if self.latin_article and _script_share(line, latin=False) > 0.5:
            # Interface words and service footers in another script ("Озвучить текст").
            return LineVerdict(False, "foreign-script-widget")
        if headline_like:
            if key in seen:
                return LineVerdict(False, "repeated-headline")
            seen.add(key)
        return LineVerdict(True, text=line)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+(?=[\"“«(]?[A-Z0-9])")


def _sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE_BREAK.split(line) if s.strip()]


def filter_lines(
    lines: list[str], rules: BoilerplateRules | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Split `lines` into the article's own lines and the removed ones (with the rule that
    removed each). Order is kept; nothing is rewritten but a trailing site name."""
    sample = " ".join(lines[:40])
    line_filter = LineFilter(
        rules or default_rules(), latin_article=_script_share(sample, latin=True) >= 0.5
    )
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for line in lines:
        verdict = line_filter.judge(line)
        if verdict.keep:
            kept.append(verdict.text)
        else:
            removed.append((line, verdict.rule))
    return kept, removed
