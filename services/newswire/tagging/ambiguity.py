"""Rules for surface forms that name a country in one sentence and something else in the next.

Each rule looks only at the text around the match and at evidence from the rest of the
article; none knows any particular document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswire.tagging.gazetteer import Sense

# Words that make "Turkey" the bird.
_TURKEY_FOOD = re.compile(
    r"^\s*(dinner|dinners|sandwich|sandwiches|breast|meat|farm|farms|farmer|farmers|feathers?|legs?|"
    r"roast|hunt|hunting|vultures?|shoot|day|trot|bacon|burgers?|slices?|stuffing|gravy|season)\b",
    re.IGNORECASE,
)
_CAPITALISED_WORD_AFTER = re.compile(r"^\s+([A-Z][a-z]+)")
_CAPITALISED_WORD_BEFORE = re.compile(r"\b([A-Z][a-z]+)\s+$")
_RIVER_AFTER = re.compile(r"^\s+(River|Valley|river|valley)\b")
# "US" in capitals is the pronoun unless a news noun or "THE" makes it the country.
_US_COUNTRY_AFTER = re.compile(
    r"^\s*(-|PRESIDENT|ARMY|MILITARY|GOVERNMENT|FORCES|TROOPS|OFFICIALS?|ELECTION|DOLLAR|NAVY|"
    r"SENATE|CONGRESS|ECONOMY|STRIKES?|SANCTIONS|ENVOY|EMBASSY|AND|TRADE)\b"
)
_ALL_CAPS_CONTEXT = re.compile(r"[A-Z]{3,}")
# Evidence that the story is in the Caucasus, where Georgia is the country.
_CAUCASUS_EVIDENCE = frozenset({"GE", "RU", "AM", "AZ", "UA"})


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may look at: the text around the match and the article's other evidence."""

    text: str
    start: int
    end: int
    surface: str
    in_person: bool
    supported: frozenset[str]

    @property
    def before(self) -> str:
        return self.text[max(0, self.start - 40) : self.start]

    @property
    def after(self) -> str:
        return self.text[self.end : self.end + 40]


def _us_rule(ctx: Context) -> bool:
    if ctx.before.endswith("$") or ctx.after.startswith("$"):
        return False  # a currency prefix: $US, US$
    if ctx.surface != "US":
        return True
    window = ctx.text[max(0, ctx.start - 30) : ctx.end + 30]
    letters = [ch for ch in window if ch.isalpha()]
    mostly_caps = letters and sum(ch.isupper() for ch in letters) / len(letters) > 0.8
    if not mostly_caps or not _ALL_CAPS_CONTEXT.search(window.replace("US", "")):
        return True
    return bool(re.search(r"\bTHE\s*$", ctx.before)) or bool(_US_COUNTRY_AFTER.match(ctx.after))


def _person_name_rule(ctx: Context) -> bool:
    """Jordan, Chad: a given name or surname when next to another capitalised name."""
    if _RIVER_AFTER.match(ctx.after) or _CAPITALISED_WORD_AFTER.match(ctx.after):
        return False
    before = _CAPITALISED_WORD_BEFORE.search(ctx.before)
    return before is None or before.group(1) in {"The", "In", "And", "Of", "To"}


def _turkey_rule(ctx: Context) -> bool:
    return not _TURKEY_FOOD.match(ctx.after)


def _georgia_rule(ctx: Context) -> str:
    """The country unless the article's other evidence is American and not Caucasian."""
    if "US" in ctx.supported and not ctx.supported & _CAUCASUS_EVIDENCE:
        return "US"
    return "GE"


def keep_country_sense(ctx: Context, sense: Sense) -> str | None:
    """The country `ctx.surface` stands for here, or None when it does not name one."""
    if ctx.in_person:
        return None  # "A person's name alone does not count": Jack London, Paris Hilton
    surface = ctx.surface
    if surface in {"US", "U.S.", "USA"}:
        return sense.code if _us_rule(ctx) else None
    if surface == "Georgia":
        return _georgia_rule(ctx)
    if surface in {"Jordan", "Chad"}:
        return sense.code if _person_name_rule(ctx) else None
    if surface == "Turkey":
        return sense.code if _turkey_rule(ctx) else None
    return sense.code
