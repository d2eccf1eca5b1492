"""People, organisations and places from NER spans: titles stripped, mentions merged.

Pure: text and spans in, entity tags out. No model is needed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, Literal

import ahocorasick

from newswire.models import EntityTag, Mention
from newswire.tagging.countries import CountryMention
from newswire.tagging.entity_rules import (
    dotted_extent,
    facility_after,
    headline_ranges,
    in_place,
    indefinite_before,
    inside,
    locative,
    lower_case_description,
    model_code_after,
    org_core,
    org_cue_around,
    person_cue_before,
    place_framed,
    rank_words,
    term_abbreviation,
    thing_named,
    vehicle_named,
    without_model_code,
    without_trailing_titles,
)
from newswire.tagging.gazetteer import Gazetteer, Sense, curated_data
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
# Honorifics that only people carry: an ORG span that starts with one is a person.
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?\s")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.&-]{1,9}$")
_STOP_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "de", "al"})
_JUNK_ORG = re.compile(r"^(?:[A-Z]\.?|[\W\d_]+)$")
_MAX_NAME_TOKENS = 6
_CAPITALISED_BEFORE = re.compile(r"\b([A-Z][\w'’-]*)\s+$")
_ADMINISTRATION = re.compile(r"\b([A-Z][a-z]+)\s+(administration|Government|government)\b")
# A place this big names a government ("the Queensland Government"); a town's name before
# "Government" is a leader's ("the Howard Government").
_REGION_POPULATION = 100_000
# Words that make "X Government" a kind of government, not a leader's ("Federal Government").
_NOT_LEADERS = frozenset(
    {
        "The", "Federal", "State", "National", "Provincial", "Local", "Interim", "Transitional",
        "Military", "Labor", "Liberal", "Coalition", "Opposition", "Unity", "Caretaker",
        "Communist", "Islamic", "Previous", "Former", "New", "Current", "Territory", "Central",
        "Regional", "City", "Council", "Municipal", "Democratic", "Conservative", "Socialist",
    }
)  # fmt: skip
# "Center for the Study of Common Problems" + " of the Modern East": the NER often stops
# early inside long names; a following "of/for (the) Capitalised Words" is the name's tail.
_NAME_TAIL = re.compile(r"^\s+(?:of|for|into)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s?)+")
_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z][A-Z0-9&.]{1,9})\)")


@lru_cache(maxsize=1)
def _org_rules() -> tuple[frozenset[str], frozenset[str]]:
    data = curated_data()
    return frozenset(data["party_names"]), frozenset(data["not_org_heads"])


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    """Peoples, religions and generic capitalised words that are neither people nor
    organisations (data/gazetteer.yaml: `peoples`, `not_orgs`)."""
    data = curated_data()
    words = [*data["peoples"], *data["not_orgs"]]
    return frozenset([*words, *(f"non-{w}" for w in data["peoples"])])


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
    """`name` without leading titles and honorifics ("Maj. Gen. Mamlouk" -> "Mamlouk").
    The evaluation normalises names with this; the tagger uses `person_name`."""
    if _KEEP_TITLED.match(name):
        return name
    stripped = _TITLES.sub("", name).strip()
    return stripped or name


# Titles, offices and ranks beyond those `strip_title` knows, for the tagger's own use.
_MORE_TITLES = re.compile(
    r"^(?:(?:Mullah|Justice|Treasurer|Shadow|Attorney-General|Commissioner|Private|Corporal|"
    r"Staff|Warrant|Officer|Sergeant First Class|Skipper|Coach)\.?\s+)+"
)


def person_name(name: str) -> str:
    """A person's name as the tagger lists it: titles before it ("Mullah Mohammad Omar")
    and after it ("Terrence Cole QC") removed; empty when nothing but titles remains
    ("Sheikh", "Treasurer")."""
    if _KEEP_TITLED.match(name):
        return name
    previous = None
    while previous != name:
        previous = name
        name = _MORE_TITLES.sub("", _TITLES.sub("", name + " ")).strip()
    return without_trailing_titles(name)


def clean_name(text: str) -> str:
    """A mention's text with possessives, a leading 'the', quotes and odd spacing removed."""
    text = " ".join(text.replace("\n", " ").split())
    text = _POSSESSIVE.sub("", text).strip(" \"'“”‘’,.;:()[]-–—")
    return _LEADING_THE.sub("", text)


def _fold(token: str) -> str:
    return token.casefold().removeprefix("al-").removeprefix("el-")


_REGNAL = re.compile(r"^[IVX]+$")


def _same_person(a: list[str], b: list[str]) -> bool:
    """Whether two person names (token lists) are one person within an article; a regnal
    number is no part of the comparison ("John Paul" is "John Paul II")."""
    a = a[:-1] if len(a) > 1 and _REGNAL.match(a[-1]) else a
    b = b[:-1] if len(b) > 1 and _REGNAL.match(b[-1]) else b
    if not a or not b:
        return False
    if len(a) == 1 or len(b) == 1:
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        return _fold(short[0]) in {_fold(t) for t in long_}
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if [_fold(t) for t in long_[-len(short) :]] == [_fold(t) for t in short]:
        return True  # "bin Laden" in "Osama bin Laden", "Salam Zaeef" in "Abdul Salam Zaeef"
    if _fold(a[-1]) == _fold(b[-1]) or _similar(_fold(a[-1]), _fold(b[-1]), 0.8):
        return _similar(_fold(a[0]), _fold(b[0]), 0.75)
    return False


def _similar(a: str, b: str, threshold: float) -> bool:
    """difflib's ratio of `a` and `b` is at least `threshold`; the cheap upper bounds
    first, which reject most pairs of different names."""
    matcher = SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= threshold
        and matcher.quick_ratio() >= threshold
        and matcher.ratio() >= threshold
    )


def _initials(name: str) -> str:
    return "".join(
        t[0] for t in re.split(r"[\s-]+", name) if t and t.casefold() not in _STOP_WORDS
    ).upper()


def _is_country_word(name: str, gaz: Gazetteer) -> bool:
    """A country's name or demonym (not a place: people are called Lincoln and Bush too)."""
    senses = gaz.senses.get(name) or []
    return bool(senses) and all(s.kind in {"name", "demonym"} for s in senses)


def extract_entities(  # noqa: PLR0912, PLR0915 - one branch per NER label reads better than a dispatch table
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
    not_names = _not_names()
    aliases = _acronym_aliases(text)
    resolved = {(m.start, m.end): m.code for m in country_mentions}
    resolved_places = {(m.start, m.end): m.code for m in country_mentions if m.kind == "place"}
    countries = {m.code for m in country_mentions}
    org_candidates: list[tuple[int, int, str]] = [
        (m.start, m.end, m.surface) for m in country_mentions if m.org
    ]
    # Spans that cross a paragraph break join a headline to the text under it: not names.
    clean_spans = sorted(
        (_whole_dotted(text, s) for s in spans if "\n" not in s.text), key=lambda s: s.start
    )
    headlines = headline_ranges(text)
    name_parts = _person_name_parts(clean_spans)
    headline_people: list[tuple[str, Mention]] = []
    # One-word names the NER calls an organisation somewhere in the article: elsewhere it
    # calls them a person only by mistake ("Westpac's David Lording").
    org_words = {
        clean_name(s.text) for s in clean_spans if s.label == "ORG" and " " not in s.text.strip()
    }
    for span in clean_spans:
        name = clean_name(span.text)
        if not name or not any(ch.isupper() for ch in name) or name in not_names:
            continue
        mention = Mention(start=span.start, end=span.end, surface=span.text)
        senses = gaz.senses.get(name)
        if span.label in {"PERSON", "ORG"}:
            place = _misread_place(text, span, name, gaz, resolved_places, countries, name_parts)
            if place is None and name in places:
                place = places[name].country or ""  # named as a place before in the text
            if place is not None:
                entity = places.setdefault(name, _Entity(name, "place", country=place or None))
                entity.mentions.append(mention)
                continue
            if (
                (vehicle_named(text, span.start) and not _service(span.label, name))
                or model_code_after(text, span.end)
                or facility_after(text, span.end)
            ):
                continue  # "his yacht, Seamaster", "Boeing 767-300", "Collins Place"
            if span.label == "PERSON" and _names_a_country(name, gaz):
                org_candidates.append((span.start, span.end, span.text))  # "Soccer Australia"
                continue
            if span.label == "PERSON" and (
                indefinite_before(text, span.start) or name.split()[-1] in not_org_heads
            ):
                continue  # "a tribal Shura", "the Jules Verne Trophy": not a person
            if span.label == "PERSON" and in_place(text, span.start, span.end):
                places.setdefault(name, _Entity(name, "place")).mentions.append(mention)
                continue  # "training camps in Java"
            if span.label == "PERSON" and (
                org_cue_around(text, span.start, span.end)
                or re.split(r"[\s-]", name, maxsplit=1)[0] in _group_heads()
                or (" " not in name and name in org_words and _fold(name) not in name_parts)
            ):
                org_candidates.append((span.start, span.end, span.text))  # "Ansett workers"
                continue
            if span.label == "ORG" and thing_named(text, span.start):
                continue  # "a bomb called the Daisy Cutter"
            if span.label == "ORG" and term_abbreviation(text, span.start, span.end):
                continue  # "genetically modified (GM) crops": a term
            if span.label == "ORG" and rank_words(name, text, span.end):
                continue  # "Sergeant First Class", "the Joint Chiefs General Richard Myers"
            if span.label == "PERSON" and " " not in name and _beside_org(text, span, clean_spans):
                org_candidates.append((span.start, span.end, span.text))  # "Westpac and the NAB"
                continue
        if span.label == "PERSON" and senses and any(s.org for s in senses):
            org_candidates.append((span.start, span.end, span.text))  # "Fars", "Sputnik"
        elif span.label == "PERSON" or (
            span.label == "ORG" and (_HONORIFIC.match(name) or person_cue_before(text, span.start))
        ):
            person = person_name(name)
            if not person:
                continue
            if inside(headlines, span.start):
                headline_people.append((person, mention))  # kept only if the body names them
            else:
                _add_person(people, person, mention, gaz)
        elif span.label == "ORG":
            org_candidates += _org_candidate(text, span, clean_spans)
        elif span.label == "NORP" and name in parties:
            org_candidates.append((span.start, span.end, span.text))
        elif span.label in {"GPE", "LOC"} and _titled(text, span):
            _add_person(people, person_name(name), mention, gaz)  # "President Thabo Mbeki"
        elif span.label in {"GPE", "LOC"}:
            # The country tagger already chose among places that share this name.
            country = resolved.get((span.start, span.end)) or _place_country(senses)
            entity = places.setdefault(name, _Entity(name, "place", country=country))
            entity.mentions.append(mention)
    for start, end, name in _post_nominal_people(text, clean_spans):
        _add_person(people, name, Mention(start=start, end=end, surface=name), gaz)
    for person, mention in headline_people:
        for known in people:
            if _same_person(person.split(), known.tokens):
                known.mentions.append(mention)
                break
    groups = {clean_name(s.text) for s in clean_spans if s.label == "NORP"}
    for match in _ADMINISTRATION.finditer(text):
        if match.group(1) in groups or match.group(1) in _NOT_LEADERS:
            continue  # "the Kurdish administration": a people's, not a person's
        before = _CAPITALISED_BEFORE.search(text, max(0, match.start(1) - 30), match.start(1))
        if before and before.group(1) not in _NOT_LEADERS:
            continue  # "the United States government": the tail of a longer name
        if match.group(2) != "administration" and any(
            s.kind != "place" or s.population >= _REGION_POPULATION
            for s in gaz.senses.get(match.group(1), [])
        ):
            continue  # "the Queensland Government": a state's, not a leader's
        if all(sense.kind == "place" for sense in gaz.senses.get(match.group(1), [])):
            _add_person(
                people,
                match.group(1),
                Mention(start=match.start(1), end=match.end(1), surface=match.group(1)),
                gaz,
            )
    people, media = _split_outlets(people)
    org_candidates += media
    org_candidates += _known_orgs(text, clean_spans)
    org_candidates += _defined_orgs(text, aliases, clean_spans)
    candidates = sorted(set(org_candidates))
    for start, end, surface in candidates:
        if any(a <= start and end <= b and (a, b) != (start, end) for a, b, _ in candidates):
            continue  # "Building Industry" inside "Royal Commission into the Building Industry"
        # Organisations keep "General", "Chief": titles are stripped only from people.
        name = without_model_code(org_core(clean_name(surface)))
        if (
            not name
            or not any(ch.isupper() for ch in name)
            or _JUNK_ORG.match(name)
            or lower_case_description(name)
            or _is_country_word(name, gaz)
            or name in not_names
            or name.split()[-1] in not_org_heads
        ):
            continue
        mention = Mention(start=start, end=end, surface=surface)
        as_person = person_name(name).split()
        same = next((p for p in people if _same_person(as_person, p.tokens)), None)
        if same is not None:
            same.mentions.append(mention)  # the NER called a person an organisation
            if len(as_person) > len(same.tokens):
                same.name = " ".join(as_person)
            continue
        acronym = _ACRONYM_AFTER.match(text[end:])
        if acronym:
            aliases.setdefault(acronym.group(1), (name, start))
        alias, defined_at = aliases.get(name, (name, start))
        full = alias if defined_at <= start else name
        first = full.split()[0]
        _add_org(orgs, full, mention, country_prefix=_is_country_word(first, gaz), defined=aliases)
    ordered = sorted([*people, *orgs, *places.values()], key=lambda e: e.mentions[0].start)
    return [
        EntityTag(
            name=e.name, kind=e.kind, count=len(e.mentions), country=e.country, mentions=e.mentions
        )
        for e in ordered
    ]


@lru_cache(maxsize=1)
def _group_heads() -> frozenset[str]:
    """First words of group names in Arabic and neighbouring languages (data/gazetteer.yaml:
    `group_name_heads`)."""
    return frozenset(curated_data()["group_name_heads"])


# A web site's name is an outlet's: "IslamOnline.net said".
_SITE = re.compile(r"\b[A-Z][\w-]*\.(?:com|net|org|info)(?:\.[a-z]{2})?\b")


@lru_cache(maxsize=1)
def _known_org_automaton() -> Any:
    automaton = ahocorasick.Automaton()
    for name in curated_data()["known_orgs"]:
        automaton.add_word(name, name)
    automaton.make_automaton()
    return automaton


def _known_org_matches(text: str) -> list[tuple[int, int, str]]:
    """Whole-word matches of `known_orgs` in `text`, longest first."""
    found = []
    for last, name in _known_org_automaton().iter_long(text):
        start, end = last - len(name) + 1, last + 1
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "-_" or after.isalnum() or after in "-_"):
            found.append((start, end, name))
    return found


def _known_orgs(text: str, spans: list[NerSpan]) -> list[tuple[int, int, str]]:
    """Mentions of well-known organisations of no single country (`known_orgs` in
    data/gazetteer.yaml) and web sites ("IslamOnline.net") that no NER span covers: the
    NER misses some ("the Al Qaeda hideout")."""
    matches = [
        *_known_org_matches(text),
        *((m.start(), m.end(), m.group(0)) for m in _SITE.finditer(text)),
    ]
    return [m for m in matches if not any(s.start < m[1] and m[0] < s.end for s in spans)]


_PERSONAL_TITLE_BEFORE = re.compile(
    r"\b(?:President|Prime Minister|Minister|Mr|Mrs|Ms|Dr|Senator|King|Queen|Sheikh|Pope|"
    r"Chancellor|Premier|Governor|Ambassador)\.?\s+$"
)


def _titled(text: str, span: NerSpan) -> bool:
    """Whether a span the NER calls a place comes right after a personal title ("President
    Thabo Mbeki"): a person, even where a place bears the name."""
    return bool(_PERSONAL_TITLE_BEFORE.search(text, max(0, span.start - 20), span.start))


_SERVICE_HEADS = frozenset({"Force", "Army", "Navy", "Corps", "Airlines", "Airways", "Guard"})


def _service(label: str, name: str) -> bool:
    """Whether an ORG span names a service or company by its head noun ("two P-3
    aircraft, the Royal Australian Air Force"): not the vehicle the words before name."""
    last = name.rsplit(maxsplit=1)[-1]
    return label == "ORG" and (last in _SERVICE_HEADS or last in _ORG_HEADS)


# A name followed by a post-nominal title is a person's: "Counsel assisting Lionel Robbards QC".
_POST_NOMINAL = re.compile(
    r"\b([A-Z][a-z]+(?:[ ][A-Z][a-z'’-]+){1,2})[ ](?:QC|SC|KC|MP|MLA|MLC|OBE|MBE|CBE|AO|AC)\b"
)


def _post_nominal_people(text: str, spans: list[NerSpan]) -> list[tuple[int, int, str]]:
    """People the NER missed whose name carries a post-nominal title ("Lionel Robbards
    QC"): (start, end, name) where no NER span overlaps the name."""
    found = []
    for match in _POST_NOMINAL.finditer(text):
        start, end = match.span(1)
        if not any(s.start < end and start < s.end for s in spans):
            found.append((start, end, person_name(match.group(1))))
    return [f for f in found if f[2]]


def _defined_orgs(
    text: str, aliases: dict[str, tuple[str, int]], spans: list[NerSpan]
) -> list[tuple[int, int, str]]:
    """Names the text defines an acronym for ("Construction Forestry Mining and Energy
    Union (CFMEU)") that end in an organisation's head noun, where no NER span covers them."""
    found = []
    for full, offset in aliases.values():
        end = offset + len(full)
        if full.split()[-1] in _ORG_HEADS and not any(
            s.start < end and offset < s.end for s in spans
        ):
            found.append((offset, end, full))
    return found


def _whole_dotted(text: str, span: NerSpan) -> NerSpan:
    """The span widened to a dotted name the NER cut ("One.Tel" from "Tel"), which is a
    brand or a site, so an organisation; any other span unchanged."""
    start, end = dotted_extent(text, span.start, span.end)
    if (start, end) == (span.start, span.end):
        return span
    return NerSpan("ORG", start, end, text[start:end])


def _names_a_country(name: str, gaz: Gazetteer) -> bool:
    """Whether a name of several words has a country's name as one of them: people are not
    called "Australia" ("Soccer Australia", "Nutrition Australia")."""
    words = name.split()
    return len(words) > 1 and any(
        w not in gaz.ambiguous and any(s.kind == "name" for s in gaz.senses.get(w, []))
        for w in words
    )


def _beside_org(text: str, span: NerSpan, spans: list[NerSpan]) -> bool:
    """Whether a one-word name is listed with an organisation ("Westpac and the National
    Australia Bank"), which makes it one too."""
    for other in spans:
        if other.label != "ORG":
            continue
        between = (
            text[span.end : other.start]
            if other.start >= span.end
            else text[other.end : span.start]
        )
        if re.fullmatch(r"\s*(?:,|and|or|&)\s*(?:the\s+)?", between):
            return True
    return False


def _place_country(senses: list[Sense] | None) -> str | None:
    return next((s.code for s in senses or [] if s.code), None)


def _person_name_parts(spans: list[NerSpan]) -> set[str]:
    """Folded words of every person name of two words or more in the text."""
    return {
        _fold(token)
        for s in spans
        if s.label == "PERSON" and len(s.text.split()) > 1
        for token in strip_title(clean_name(s.text)).split()
    }


_MOUNT = re.compile(r"^Mt\.?\s")


def _misread_place(
    text: str,
    span: NerSpan,
    name: str,
    gaz: Gazetteer,
    resolved: dict[tuple[int, int], str],
    countries: set[str],
    name_parts: set[str],
) -> str | None:
    """The country ("" when unknown) of a person or organisation span that is really a
    place, else None. A place is: what the country tagger resolved at exactly these
    offsets ("Quneitra"); a gazetteer place of a country the article names, written as a
    name of several words ("Tora Bora", "Western Australia") or after a preposition of
    place ("from nearby Millicent"); or anything the text calls a town, settlement or
    township ("the settlement of Immanuel"). A word that is part of a fuller person name
    in the text, or comes after a personal title, stays a person ("Lincoln" after
    "Abraham Lincoln", "Mr Howard")."""
    if _HONORIFIC.match(span.text) or (
        " " not in name and _fold(name) in name_parts and span.label == "PERSON"
    ):
        return None
    if (span.start, span.end) in resolved and " " not in name:
        return resolved[(span.start, span.end)]
    lookup = _MOUNT.sub("Mount ", name)
    local = [s for s in gaz.senses.get(lookup) or [] if s.kind == "place" and s.code in countries]
    if local and (
        " " in lookup or locative(text, span.start) or place_framed(text, span.start, span.end)
    ):
        return max(local, key=lambda s: s.population).code
    if place_framed(text, span.start, span.end):
        return ""
    return None


# A capitalised office right after an organisation-looking word makes a title, not an org.
_OFFICE_AFTER = re.compile(r"\s+(?:Secretary|Minister|Undersecretary|Under-Secretary)\b")
# A rank after a one-word service makes it part of a title: "Navy Captain Timothy Taylor".
_RANK_AFTER = re.compile(
    r"\s+(?:Captain|Lieutenant|Commander|Admiral|General|Colonel|Major|Sergeant|Spokesman|"
    r"Spokeswoman|Chief)\b(?!-)"
)
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
    if _OFFICE_AFTER.match(text, span.end) or (
        " " not in span.text.strip() and _RANK_AFTER.match(text, span.end)
    ):
        return []
    start = span.start
    words = span.text.split()
    if words and words[0] in _STATE_BODY_HEADS:
        start = next(
            (s.start for s in spans if s.label == "NORP" and 0 < span.start - s.end <= 1),
            span.start,
        )
    end = span.end + _tail_length(text[span.end :])
    return _split_joined(text, start, end)


_JOINED = re.compile(r"\s+for\s+(?:the\s+)?")


def _split_joined(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """One span that the NER ran over two organisations ("Australian National University
    for the New South Wales Bureau of Crime Statistics"), split in two when the words
    before "for" end in an organisation's head noun and the words after hold one."""
    joined = _JOINED.search(text, start, end)
    if joined:
        left, right = text[start : joined.start()], text[joined.end() : end]
        if left.split()[-1:] and left.split()[-1] in _ORG_HEADS and _ORG_HEADS & set(right.split()):
            return [(start, joined.start(), left), (joined.end(), end, right)]
    return [(start, end, text[start:end])]


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


# Words that head an organisation's name of their own: a tail that has one is the next
# organisation ("Australian National University for the ... Bureau of Crime Statistics").
_ORG_HEADS = frozenset(
    {
        "Bureau", "University", "Department", "Council", "Commission", "Institute", "Agency",
        "Ministry", "Office", "Service", "Union", "Association", "Party", "Court", "Committee",
        "Bank", "Company", "Corporation", "Group", "Academy", "Authority", "Foundation",
        "Organisation", "Organization", "School", "College", "Hospital", "Society", "Board",
    }
)  # fmt: skip


def _tail_length(after: str) -> int:
    tail = _NAME_TAIL.match(after)
    if not tail or _ORG_HEADS.intersection(tail.group(0).split()):
        return 0
    return len(tail.group(0).rstrip())


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


def _add_org(
    orgs: list[_Entity],
    name: str,
    mention: Mention,
    *,
    country_prefix: bool = False,
    defined: dict[str, tuple[str, int]] | None = None,
) -> None:
    folded = name.casefold()
    words = folded.split()
    for org in orgs:
        known = org.name.casefold().split()
        short, long_ = (words, known) if len(words) <= len(known) else (known, words)
        if len(short) >= 2 and short != long_ and long_[-len(short) :] == short:
            # A later short form refers back ("Australian Manufacturing Workers Union", then
            # "Manufacturing Workers Union"); a later longer form with a nation in front is
            # another state's body ("the Air Force", then "Israeli Air Force").
            if len(words) > len(known):
                if country_prefix:
                    continue
                org.name = name
            org.mentions.append(mention)
            return
        if _org_key(org.name) == _org_key(name) or (
            _ACRONYM.match(name) and _initials(org.name) == name.replace(".", "")
        ):
            org.mentions.append(mention)
            return
        if _ACRONYM.match(org.name) and _initials(name) == org.name.replace(".", ""):
            definition = (defined or {}).get(org.name)
            if definition and org.mentions[0].start < definition[1]:
                continue  # "an AFP journalist", then "Australian Federal Police (AFP)"
            org.name = name  # a later mention gives the full name: keep the fuller form
            org.mentions.append(mention)
            return
    orgs.append(_Entity(name, "org", [mention]))


def _org_key(name: str) -> tuple[str, ...]:
    """An organisation's name for joining spellings of it: case, hyphens and a plural last
    word ignored ("al-Qaeda" is "Al Qaeda", "Palestinian Authorities" the "Authority")."""
    words = name.casefold().replace("-", " ").split()
    if words:
        last = words[-1]
        if last.endswith("ies") and len(last) > 4:
            words[-1] = last[:-3] + "y"
        elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
            words[-1] = last[:-1]
    return tuple(words)


def _acronym_aliases(text: str) -> dict[str, tuple[str, int]]:
    """ "Full Name (ACR)" in the text makes ACR an alias of Full Name from where the full
    name starts: (full name, its offset) by acronym. An earlier "ACR" may be another body
    ("an AFP journalist" before "Australian Federal Police (AFP)")."""
    aliases: dict[str, tuple[str, int]] = {}
    for match in re.finditer(
        r"((?:[A-Z][\w'’-]*\s+(?:(?:of|and|for|the|de)\s+)*){1,8})\(([A-Z][A-Z0-9&.]{1,9})\)", text
    ):
        full = match.group(1).strip()
        acronym = match.group(2)
        words = full.split()
        # Keep the shortest tail of the phrase whose initials spell the acronym.
        for i in range(len(words)):
            candidate = " ".join(words[i:])
            if words[i].casefold() not in _STOP_WORDS and _initials(candidate) == acronym.replace(
                ".", ""
            ):
                offset = match.start(1) + match.group(1).index(candidate)
                aliases.setdefault(acronym, (candidate, offset))
                break
    return aliases
