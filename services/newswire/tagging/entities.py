"""People, organisations and places from NER spans: titles stripped, mentions merged.

Pure: text and spans in, entity tags out. No model is needed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

from newswire.models import EntityTag, Mention
from newswire.tagging.countries import CountryMention
from newswire.tagging.gazetteer import Gazetteer, curated_data
from newswire.tagging.spans import NerSpan

_TITLES = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Sen|Senator|Rep|Gov|Governor|"
    r"President|Vice President|Prime Minister|Deputy Prime Minister|Minister|Deputy|Secretary|"
    r"General|Gen|Lt|Lieutenant|Col|Colonel|Maj|Major|Major-General|Brig|Brigadier|Capt|Captain|"
    r"Sgt|Sergeant|Admiral|Adm|Commander|Chief|Judge|Pope|King|Queen|Sheikh|Imam|"
    r"Ayatollah|Rabbi|Father|Rev|Reverend|Bishop|Cardinal|Archbishop|Chancellor|Ambassador|"
    r"Mayor|Premier|Speaker|Spokesman|Spokeswoman|Detective|Inspector|Constable|Superintendent|"
    r"Senior|Interim|Acting|Former)\.?\s+)+"
)
_KEEP_TITLED = re.compile(
    r"^(Prince|Princess)\s+\w+$"
)  # "Prince William": the given name alone is no name
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.&-]{1,9}$")
_STOP_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "de", "al"})
_JUNK_ORG = re.compile(r"^(?:[A-Z]\.?|[\W\d_]+)$")
_MAX_NAME_TOKENS = 6
_ADMINISTRATION = re.compile(r"\b([A-Z][a-z]+)\s+administration\b")
# "Center for the Study of Common Problems" + " of the Modern East": the NER often stops
# early inside long names; a following "of/for (the) Capitalised Words" is the name's tail.
_NAME_TAIL = re.compile(r"^\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s?)+")
_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z][A-Z0-9&.]{1,9})\)")


@lru_cache(maxsize=1)
def _org_rules() -> tuple[frozenset[str], frozenset[str]]:
    data = curated_data()
    return frozenset(data["party_names"]), frozenset(data["not_org_heads"])


@dataclass(slots=True)
class _Entity:
    name: str
    kind: Literal["person", "org", "place"]
    mentions: list[Mention] = field(default_factory=list)
    country: str | None = None

    @property
    def tokens(self) -> list[str]:
        return self.name.split()


def strip_title(name: str) -> str:
    """`name` without leading titles and honorifics ("Maj. Gen. Mamlouk" -> "Mamlouk")."""
    if _KEEP_TITLED.match(name):
        return name
    stripped = _TITLES.sub("", name).strip()
    return stripped or name


def clean_name(text: str) -> str:
    """A mention's text with possessives, a leading 'the', quotes and odd spacing removed."""
    text = " ".join(text.replace("\n", " ").split())
    text = _POSSESSIVE.sub("", text).strip(" \"'“”‘’,.;:()[]-–—")
    return _LEADING_THE.sub("", text)


def _fold(token: str) -> str:
    return token.casefold().removeprefix("al-").removeprefix("el-")


def _same_person(a: list[str], b: list[str]) -> bool:
    """Whether two person names (token lists) are one person within an article."""
    if not a or not b:
        return False
    if len(a) == 1 or len(b) == 1:
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        return _fold(short[0]) in {_fold(t) for t in long_}
    if (
        _fold(a[-1]) == _fold(b[-1])
        or SequenceMatcher(None, _fold(a[-1]), _fold(b[-1])).ratio() >= 0.8
    ):
        return SequenceMatcher(None, _fold(a[0]), _fold(b[0])).ratio() >= 0.75
    return False


def _initials(name: str) -> str:
    return "".join(
        t[0] for t in re.split(r"[\s-]+", name) if t and t.casefold() not in _STOP_WORDS
    ).upper()


def _is_country_word(name: str, gaz: Gazetteer) -> bool:
    """A country's name or demonym (not a place: people are called Lincoln and Bush too)."""
    senses = gaz.senses.get(name) or []
    return bool(senses) and all(s.kind in {"name", "demonym"} for s in senses)


def extract_entities(  # noqa: PLR0912 - one branch per NER label reads better than a dispatch table
    text: str,
    spans: list[NerSpan],
    country_mentions: list[CountryMention],
    gaz: Gazetteer,
) -> list[EntityTag]:
    """Persons, organisations and places named in `text`, each once, in order of first
    mention, under the fullest name the text gives, with counts and offsets."""
    people: list[_Entity] = []
    orgs: list[_Entity] = []
    places: dict[str, _Entity] = {}
    parties, not_org_heads = _org_rules()
    aliases = _acronym_aliases(text)
    resolved = {(m.start, m.end): m.code for m in country_mentions}
    org_candidates: list[tuple[int, int, str]] = [
        (m.start, m.end, m.surface) for m in country_mentions if m.org
    ]
    # Spans that cross a paragraph break join a headline to the text under it: not names.
    clean_spans = sorted((s for s in spans if "\n" not in s.text), key=lambda s: s.start)
    misread = _misread_places(clean_spans, country_mentions)
    for span in clean_spans:
        name = clean_name(span.text)
        if not name or not any(ch.isupper() for ch in name):
            continue
        mention = Mention(start=span.start, end=span.end, surface=span.text)
        senses = gaz.senses.get(name)
        if (span.start, span.end) in misread:
            entity = places.setdefault(
                name, _Entity(name, "place", country=misread[(span.start, span.end)])
            )
            entity.mentions.append(mention)
        elif span.label == "PERSON" and senses and any(s.org for s in senses):
            org_candidates.append((span.start, span.end, span.text))  # "Fars", "Sputnik"
        elif span.label == "PERSON":
            _add_person(people, strip_title(name), mention, gaz)
        elif span.label == "ORG":
            org_candidates += _org_candidate(text, span, clean_spans)
        elif span.label == "NORP" and name in parties:
            org_candidates.append((span.start, span.end, span.text))
        elif span.label in {"GPE", "LOC"}:
            # The country tagger already chose among places that share this name.
            country = resolved.get((span.start, span.end)) or (senses[0].code if senses else None)
            entity = places.setdefault(name, _Entity(name, "place", country=country))
            entity.mentions.append(mention)
    groups = {clean_name(s.text) for s in clean_spans if s.label == "NORP"}
    for match in _ADMINISTRATION.finditer(text):
        if match.group(1) in groups:
            continue  # "the Kurdish administration": a people's, not a person's
        if all(sense.kind == "place" for sense in gaz.senses.get(match.group(1), [])):
            _add_person(
                people,
                match.group(1),
                Mention(start=match.start(1), end=match.end(1), surface=match.group(1)),
                gaz,
            )
    people, media = _split_outlets(people)
    org_candidates += media
    for start, end, surface in sorted(set(org_candidates)):
        name = clean_name(surface)  # organisations keep "General", "Chief": titles only for people
        if (
            not name
            or _JUNK_ORG.match(name)
            or _is_country_word(name, gaz)
            or name.split()[-1] in not_org_heads
        ):
            continue
        if any(_same_person(strip_title(name).split(), p.tokens) for p in people):
            continue  # the NER called a person an organisation
        acronym = _ACRONYM_AFTER.match(text[end:])
        if acronym:
            aliases.setdefault(acronym.group(1), name)
        _add_org(orgs, aliases.get(name, name), Mention(start=start, end=end, surface=surface))
    ordered = sorted([*people, *orgs, *places.values()], key=lambda e: e.mentions[0].start)
    return [
        EntityTag(
            name=e.name, kind=e.kind, count=len(e.mentions), country=e.country, mentions=e.mentions
        )
        for e in ordered
    ]


# A capitalised office right after an organisation-looking word makes a title, not an org.
_OFFICE_AFTER = re.compile(r"\s+(?:Secretary|Minister|Undersecretary|Under-Secretary)\b")
# Bodies of one state that the text names with the state's adjective in front:
# "Russian Foreign Ministry", "Saudi Interior Ministry", "Israeli Air Force".
_STATE_BODY_HEADS = frozenset(
    {
        "Foreign", "Interior", "Defense", "Defence", "Justice", "Finance", "Health", "Ministry",
        "Army", "Navy", "Air", "Armed", "Security", "Embassy", "Parliament", "Central",
    }
)  # fmt: skip


def _org_candidate(text: str, span: NerSpan, spans: list[NerSpan]) -> list[tuple[int, int, str]]:
    """The organisation an ORG span names, widened to the nationality adjective before a
    state body ("Russian Foreign Ministry") and to an "of the ..." tail; none when the span
    is the start of an office ("Defense" in "Defense Secretary Donald Rumsfeld")."""
    if _OFFICE_AFTER.match(text, span.end):
        return []
    start = span.start
    words = span.text.split()
    if words and words[0] in _STATE_BODY_HEADS:
        start = next(
            (s.start for s in spans if s.label == "NORP" and 0 < span.start - s.end <= 1),
            span.start,
        )
    end = span.end + _tail_length(text[span.end :])
    return [(start, end, text[start:end])]


def _misread_places(
    spans: list[NerSpan], country_mentions: list[CountryMention]
) -> dict[tuple[int, int], str]:
    """Person and organisation spans that are one word the country tagger resolved as a
    place ("Quneitra", "Tartus", "Luhansk"), by offsets, with the place's country. A word
    that is also part of a fuller person name in the text stays a person ("Lincoln" after
    "Abraham Lincoln")."""
    places = {(m.start, m.end): m.code for m in country_mentions if m.kind == "place"}
    name_parts = {
        _fold(token)
        for s in spans
        if s.label == "PERSON" and len(s.text.split()) > 1
        for token in strip_title(clean_name(s.text)).split()
    }
    return {
        (s.start, s.end): places[(s.start, s.end)]
        for s in spans
        if s.label in {"PERSON", "ORG"}
        and (s.start, s.end) in places
        and " " not in s.text.strip()
        and _fold(clean_name(s.text)) not in name_parts
    }


def _add_person(people: list[_Entity], name: str, mention: Mention, gaz: Gazetteer) -> None:
    tokens = name.split()
    if (
        not tokens
        or len(tokens) > _MAX_NAME_TOKENS
        or _is_country_word(name, gaz)
        or name.isupper()
    ):
        return
    for person in people:
        if _same_person(tokens, person.tokens):
            if len(tokens) > len(person.tokens):
                person.name = name  # the fullest form the text gives
            person.mentions.append(mention)
            return
    people.append(_Entity(name, "person", [mention]))


def _tail_length(after: str) -> int:
    tail = _NAME_TAIL.match(after)
    return len(tail.group(0).rstrip()) if tail else 0


def _split_outlets(people: list[_Entity]) -> tuple[list[_Entity], list[tuple[int, int, str]]]:
    """Single-word "al-X" names never joined to a full personal name are outlets or groups
    ("according to al-Watan"), not people: Arabic personal names come with a given name."""
    kept: list[_Entity] = []
    outlets: list[tuple[int, int, str]] = []
    for person in people:
        if len(person.tokens) == 1 and person.name.startswith(("al-", "el-")):
            outlets += [(m.start, m.end, m.surface) for m in person.mentions]
        else:
            kept.append(person)
    return kept, outlets


def _add_org(orgs: list[_Entity], name: str, mention: Mention) -> None:
    folded = name.casefold()
    for org in orgs:
        if org.name.casefold() == folded or (
            _ACRONYM.match(name) and _initials(org.name) == name.replace(".", "")
        ):
            org.mentions.append(mention)
            return
        if _ACRONYM.match(org.name) and _initials(name) == org.name.replace(".", ""):
            org.name = name  # a later mention gives the full name: keep the fuller form
            org.mentions.append(mention)
            return
    orgs.append(_Entity(name, "org", [mention]))


def _acronym_aliases(text: str) -> dict[str, str]:
    """ "Full Name (ACR)" in the text makes ACR an alias of Full Name."""
    aliases: dict[str, str] = {}
    for match in re.finditer(
        r"((?:[A-Z][\w'’-]*\s+(?:(?:of|and|for|the|de)\s+)*){1,8})\(([A-Z][A-Z0-9&.]{1,9})\)", text
    ):
        full = match.group(1).strip()
        acronym = match.group(2)
        words = full.split()
        # Keep the shortest tail of the phrase whose initials spell the acronym.
        for i in range(len(words)):
            candidate = " ".join(words[i:])
            if _initials(candidate) == acronym.replace(".", ""):
                aliases[acronym] = candidate
                break
    return aliases
