"""Country tagging: gazetteer matches, resolved with the article's own evidence.

Pure: text (and, when available, NER spans) in, country tags with evidence out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal, NamedTuple, cast

from newswire.models import CountryTag, Evidence
from newswire.tagging.ambiguity import Context, keep_country_sense
from newswire.tagging.gazetteer import Gazetteer, Sense, load_gazetteer
from newswire.tagging.spans import NerSpan

EvidenceKind = Literal["name", "demonym", "place", "institution"]

# Salience (what subscribers filter on and stories compare): each country's share of the
# article's evidence. Names and places say where a story is; demonyms and institutions
# more often say who takes part in it, so they count for less; the country named first
# gets one and a half mentions more. It is a proportion of mentions, so a country named
# in passing keeps a small share.
_KIND_WEIGHT = {"name": 1.0, "place": 1.0, "demonym": 0.3, "institution": 0.3}
_FIRST_MENTION_BONUS = 1.5
# The primary country has its own score: its mentions to the power 0.7, plus bonuses for
# where the lead sets the story and for the country named first. The power damps an actor
# named over and over ("the United States ... the Pentagon ... Washington") against the
# place the lead sets the story in ("in Amazonia, Brazil"): named first and four times it
# still loses to a region the lead names once ("in southern Iraq"), five times it wins.
# For it a demonym counts like a name ("Australian families of the victims",
# "Six Swiss tour company staff" say whom the story is about), and the country named first
# gets one and a half mentions more. A setting counts only in the lead sentence: further
# down, "the camp in Nauru" or "the West Bank city of Hebron" is where a part of the story
# happens, not what the story is about.
# (Chosen by a grid on one dev file, measured on the other: see docs/tagging.md.)
_PRIMARY_KIND_WEIGHT = {"name": 1.0, "place": 1.0, "demonym": 1.0, "institution": 1.0}
_PRIMARY_COUNT_EXPONENT = 0.7
_PRIMARY_FIRST_MENTION_BONUS = 1.5
_PRIMARY_SETTING_BONUS = 0.0
_PRIMARY_LEAD_SETTING_BONUS = 1.0
# A single-word place of modest size needs support: the NER calls it a place, or the
# article names its country some other way. Big cities and curated places stand alone.
_SELF_EVIDENT_POPULATION = 500_000
_DOMINANCE = 5.0
# Below this, a place of several words also needs support: GeoNames lists villages with
# names like "Prime Minister" or "Red Cross" that are rarely what a text means.
_TOWN_POPULATION = 15_000
_PRIMARY_MIN_SALIENCE = 0.2


@dataclass(frozen=True, slots=True)
class CountryMention:
    """One resolved mention: where, what was written, which country, by which kind."""

    start: int
    end: int
    surface: str
    code: str
    kind: EvidenceKind
    org: bool = False
    dateline: bool = False


@dataclass(frozen=True, slots=True)
class CountryResult:
    """Countries of one article, most salient first, with the primary one."""

    countries: list[CountryTag]
    primary: str | None
    mentions: list[CountryMention]


def _inside(spans: list[NerSpan], start: int, end: int, labels: frozenset[str]) -> bool:
    """True when a span with one of `labels` strictly contains [start, end): "Paris" in
    "Paris Hilton". A span equal to the match is the NER mislabelling the place itself."""
    length = end - start
    for s in spans:
        if s.start <= start and end <= s.end and s.end - s.start > length and s.label in labels:
            return True
    return False


_PERSON = frozenset({"PERSON"})
_PLACE_LABELS = frozenset({"GPE", "LOC"})
_ANY_LABEL = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})


def _strong(sense: Sense) -> bool:
    return sense.kind != "place" or sense.curated or sense.population >= _SELF_EVIDENT_POPULATION


def _pick_place(senses: list[Sense], supported: set[str]) -> Sense | None:
    """Among places sharing a name, the one whose country the article supports, else a
    clearly dominant one by population, else none."""
    ranked = sorted(senses, key=lambda s: (s.curated, s.population), reverse=True)
    backed = [s for s in senses if s.code in supported]
    if backed:
        best = max(backed, key=lambda s: s.population)
        top = ranked[0]
        if top is not best and _strong(top) and best.population < _TOWN_POPULATION:
            # Brussels, not the village of Brussels (Ontario) because Canada is named;
            # a real town keeps the article's reading (Sydney, Nova Scotia).
            return top
        return best
    if ranked[0].curated:
        return ranked[0]  # the project's deliberate reading: London is GB's
    if len(ranked) == 1 or ranked[0].population >= _DOMINANCE * max(ranked[1].population, 1):
        return ranked[0]
    return None


def find_all(text: str, gazetteers: list[Gazetteer]) -> list[tuple[int, int, str, list[Sense]]]:
    """Matches of every gazetteer in `text`, longest first where two overlap, in text order,
    each with its senses (the earlier gazetteer's on an equal match); names that point to
    no country ("Indian Ocean") hide what they
    contain and are then left out."""
    found = [
        (start, end, surface, gaz.senses[surface])
        for gaz in gazetteers
        for start, end, surface in gaz.find(text)
    ]
    if len(gazetteers) > 1:
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        kept: list[tuple[int, int, str, list[Sense]]] = []
        for match in found:
            if kept and match[0] < kept[-1][1]:
                continue
            kept.append(match)
        found = kept
    return [m for m in found if any(s.kind != "none" for s in m[3])]


def tag_countries(
    text: str,
    spans: list[NerSpan] | None = None,
    gazetteer: Gazetteer | None = None,
    extra: Gazetteer | None = None,
) -> CountryResult:
    """The countries `text` refers to, by name, demonym, place or institution.

    `spans` (NER output), when given, removes matches inside person names and confirms
    smaller places; without it the tagger relies on the article's other evidence alone.
    `extra` is the gazetteer of the article's language when that is not English (country
    names in that language), searched beside the main one."""
    gaz = gazetteer or load_gazetteer()
    spans = spans or []
    # The language's own names first: on an equal match they are the reading to keep
    # ("Líbano" is Lebanon in Spanish, a town in Colombia in GeoNames).
    gazetteers = [gaz] if extra is None else [extra, gaz]
    ambiguous = gaz.ambiguous
    found = find_all(text, gazetteers)
    if extra is not None and extra.common_words:
        found = [m for m in found if not _function_word(text, m, extra.common_words)]
    matches = [
        (start, end, surface, senses, _country_senses(senses), _inside(spans, start, end, _PERSON))
        for start, end, surface, senses in found
    ]
    # Pass 1: evidence that needs no support (names, demonyms, institutions, big places).
    supported: set[str] = set()
    for _, _, surface, senses, non_place, in_person in matches:
        if surface in ambiguous or in_person:
            continue
        if len(non_place) == 1 and not non_place[0].weak:
            supported.add(non_place[0].code)
        elif not non_place and len(senses) == 1 and _strong(senses[0]):
            supported.add(senses[0].code)
    # Pass 2: resolve every match with that support.
    mentions: list[CountryMention] = []
    frozen_support = frozenset(supported)
    for start, end, surface, senses, non_place, in_person in matches:
        sense = _resolve(senses, non_place, supported, text, start, end, spans)
        if sense is None:
            continue
        if sense.kind == "place" and mentions and _owned_by_other(text, mentions[-1], start, sense):
            continue  # "East Timor's Los Palos": the text just said whose place it is
        ctx = Context(text, start, end, surface, in_person, frozen_support)
        code = keep_country_sense(ctx, sense)
        if code is not None:
            # The evidence is the word as written, affixes included ("Сирии", "والأردن").
            kind = cast(EvidenceKind, sense.kind)  # "none" senses never resolve to a code
            mentions.append(CountryMention(start, end, text[start:end], code, kind, sense.org))
    return _summarise(_with_dateline(text, mentions, gazetteers, supported), gaz, text)


# A dateline at the start of a line near the top: "SYDNEY, Dec 3 -", "MADRID, 3 dic
# (EFE) -", "Kabul (Reuters) -", "KABUL - ", and the same in Cyrillic capitals. Capitals
# are read as the name they spell ("NEW YORK" is "New York"), which the case-sensitive
# gazetteer needs. A comma must be followed by a date, a dash only after capitals.
_DATELINE = re.compile(
    r"^[ \t]*([A-ZÀ-ÞА-ЯЁ][\w'’.-]*(?:[ \t]+[A-ZÀ-ÞА-ЯЁ][\w'’.-]*){0,3})"
    r"(?=[ \t]*(?:,[ \t]*(?:\d|[A-Z][a-z]{2,}\.?[ \t]+\d)|\([A-Z]|[ \t][-–—][ \t]))",
    re.MULTILINE,
)
_DATELINE_REACH = 400


def _with_dateline(
    text: str,
    mentions: list[CountryMention],
    gazetteers: list[Gazetteer],
    supported: set[str],
) -> list[CountryMention]:
    """`mentions` with the dateline's place marked as where the story happens: the mention
    already found there, or, for a dateline in capitals, the place its name spells."""
    for match in _DATELINE.finditer(text, 0, _DATELINE_REACH):
        start, end = match.span(1)
        written = match.group(1)
        if text[end:].lstrip(" \t")[:1] in "-–—" and not written.isupper():
            continue  # "Israel - the talks": a dash dateline is written in capitals
        found = next((m for m in mentions if m.start == start and m.end == end), None)
        if found is not None:
            return [
                CountryMention(m.start, m.end, m.surface, m.code, m.kind, m.org, m is found)
                for m in mentions
            ]
        if not written.isupper():
            continue
        name = " ".join(w[:1] + w[1:].lower() for w in written.split())
        senses = next((g.senses[name] for g in gazetteers if name in g.senses), None)
        sense = _dateline_sense(senses or [], supported)
        if sense is not None:
            kind = cast(EvidenceKind, sense.kind)
            mention = CountryMention(start, end, written, sense.code, kind, False, True)
            return sorted([mention, *mentions], key=lambda m: m.start)
    return mentions


def _dateline_sense(senses: list[Sense], supported: set[str]) -> Sense | None:
    """What a dateline's name stands for: a country's name, else the place the article
    supports, else the clearly biggest place of that name (a dateline names a city)."""
    names = [s for s in senses if s.kind == "name"]
    if len(names) == 1:
        return names[0]
    places = [s for s in senses if s.kind == "place"]
    return _pick_place(places, supported) if places else None


_SENTENCE_START = re.compile(r"(?:^|[.!?:;«\"“]\s*|\n\s*)$")


def _function_word(
    text: str, match: tuple[int, int, str, list[Sense]], common: frozenset[str]
) -> bool:
    """Whether a match is one of the language's common words written with a capital only
    because a sentence starts with it ("Les premières livraisons": Les is a town in
    Spain), and only a smaller place's name. Big cities and country names stand."""
    start, end, surface, senses = match
    return (
        " " not in surface
        and all(s.kind == "place" and not _strong(s) for s in senses)
        and text[start:end].casefold() in common
        and bool(_SENTENCE_START.search(text[max(0, start - 3) : start]))
    )


def _owned_by_other(text: str, previous: CountryMention, start: int, sense: Sense) -> bool:
    """Whether the place at `start` comes right after another country's possessive."""
    return previous.code != sense.code and text[previous.end : start] in {"'s ", "’s "}


def _country_senses(senses: list[Sense]) -> list[Sense]:
    """The senses that are not places: names, demonyms, institutions."""
    return [s for s in senses if s.kind not in {"place", "none"}]


def _resolve(
    senses: list[Sense],
    non_place: list[Sense],
    supported: set[str],
    text: str,
    start: int,
    end: int,
    spans: list[NerSpan],
) -> Sense | None:
    if len(non_place) > 1:
        # A demonym shared by several countries (Congolese): only the article can tell.
        backed = [s for s in non_place if s.code in supported]
        return backed[0] if len(backed) == 1 else None
    if non_place:
        sense = non_place[0]
        if sense.weak and sense.code not in supported:
            return None
        return sense
    place = _pick_place(senses, supported)
    if place is None:
        return None
    return _confirmed_place(place, supported, text, start, end, spans)


# Nouns that say the word next to them is an administrative place: "Hunan province",
# "the city of Homs". Physical features (lake, river) are left out: they take names of
# their own ("Dongting Lake") that are not the places they sound like.
_PLACE_TYPES = frozenset(
    {
        "province", "region", "state", "county", "district", "governorate", "prefecture",
        "oblast", "municipality", "city", "town", "village", "territory", "canton",
    }
)  # fmt: skip
_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
_PREVIOUS_CAPITALISED = re.compile(r"\b([A-Z][\w'-]*)[ -]$")
# Capitalised only because a sentence starts with them: "In Hunan province".
_SENTENCE_WORDS = frozenset(
    {
        "In",
        "At",
        "From",
        "To",
        "The",
        "On",
        "Near",
        "Across",
        "Of",
        "And",
        "For",
        "By",
        "Inside",
        "Outside",
        "Throughout",
    }
)
_TYPE_OF = re.compile(r"\b([a-z]+)\s+of\s+$")


def _named_as_place(text: str, start: int, end: int) -> bool:
    """Whether a lower-case place-type noun follows the name ("Hunan province") or frames
    it ("the city of Homs"), and the name is not the tail of a longer one ("Middle East
    region")."""
    previous = _PREVIOUS_CAPITALISED.search(text[max(0, start - 30) : start])
    if previous and previous.group(1) not in _SENTENCE_WORDS:
        return False
    after = _NEXT_WORD.match(text, end)
    if after and after.group(1) in _PLACE_TYPES:
        return True
    before = _TYPE_OF.search(text[max(0, start - 30) : start])
    return bool(before and before.group(1) in _PLACE_TYPES)


# A personal title before a name makes it a person's, whatever town bears it: "Mr Powell",
# "Mr Williams" (towns in the United States).
_TITLE_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Senator|Sen)\.?\s+$")


_NAMED_AFTER = re.compile(r"\b(?:of|in|at)\s+(?:the\s+)?$")


def _head_of_longer_name(text: str, start: int, end: int, spans: list[NerSpan]) -> bool:
    """Whether the match ends a longer name the NER found without "of" or "in" before it:
    the name's head noun ("the Northern Alliance"; Alliance is a town in Ohio), not a place
    the name is called after ("Bank of Melbourne")."""
    for s in spans:
        if s.end == end and s.start < start and s.label in _ANY_LABEL:
            return not _NAMED_AFTER.search(text, s.start, start)
    return False


def _surname(text: str, start: int, end: int, spans: list[NerSpan]) -> bool:
    """Whether the name ends a person's fuller name the NER found elsewhere in the article:
    "Thorpe" after "Ian Thorpe" is the swimmer, not the English village."""
    name = text[start:end]
    return any(
        s.label == "PERSON" and s.start != start and s.text.endswith(" " + name) for s in spans
    )


def _named_otherwise(sense: Sense, text: str, start: int, end: int, spans: list[NerSpan]) -> bool:
    """Whether the words around a place's name make it something else: "the Tampa" (cities
    take no article; ships, brands and teams do), "Mr Powell", "the Northern Alliance", or,
    for a smaller town, a person named in full elsewhere ("Ian Thorpe ... Thorpe's coach")."""
    one_word = " " not in text[start:end]
    return (
        (one_word and text[max(0, start - 4) : start].casefold() == "the ")
        or bool(_TITLE_BEFORE.search(text, max(0, start - 10), start))
        or (
            one_word
            and not _strong(sense)
            and (_head_of_longer_name(text, start, end, spans) or _surname(text, start, end, spans))
        )
    )


def _with_article_elsewhere(text: str, name: str) -> bool:
    """Whether the article calls `name` "the <name>" somewhere, followed by a lower-case
    word or punctuation ("the Tampa crisis", "the Tampa."): the name of a ship, brand or
    team, which the NER may still call a place where it stands alone."""
    return re.search(r"\b[Tt]he " + re.escape(name) + r"(?![\w-]| +[A-Z])", text) is not None


def _confirmed_place(
    sense: Sense, supported: set[str], text: str, start: int, end: int, spans: list[NerSpan]
) -> Sense | None:
    one_word = " " not in text[start:end]
    if _named_otherwise(sense, text, start, end, spans):
        return None
    # A village's name as a word of a longer name ("Reserve Bank") needs more than its
    # country being named: the checks below then find it inside the longer name.
    if _strong(sense) or (
        sense.code in supported
        and not (sense.population < _TOWN_POPULATION and _inside(spans, start, end, _ANY_LABEL))
    ):
        return sense
    if not one_word and sense.population >= _TOWN_POPULATION:
        return sense  # "Port Augusta": a longer name is rarely anything but the place
    if _named_as_place(text, start, end):
        return sense  # "Hunan province", "the province of Idlib": the text says what it is
    if _inside(spans, start, end, _ANY_LABEL):
        return None  # part of a longer name: "Commonwealth Bank", "Dongting Lake"
    # A smaller single-word place stands only where the NER calls exactly it a place, and
    # where the article does not call it "the <name>" elsewhere ("A book, Tampa, ..." beside
    # "the Tampa crisis": a ship) unless this mention names where something happens ("in
    # Mackay" beside "the Mackay council": the town, as a name before a noun too).
    # Cheapest first: the locative pattern runs only for a name the article also calls
    # "the <name>".
    called_place = any(
        s.start == start and s.end == end and s.label in _PLACE_LABELS for s in spans
    )
    stands = called_place and (
        not _with_article_elsewhere(text, text[start:end])
        or _LOCATIVE.search(text, max(0, start - 60), start) is not None
    )
    return sense if stands else None


# A country named as who speaks ("Iraq's ambassador said", "according to SANA") is less
# often what the story is about than one named in what is said: such mentions count half.
# (The gold notes reason the same way: "the story is about Zimbabwe; the US is the speaker".)
_SOURCE_WEIGHT = 0.5
# The mention, then at most four words in the same clause, then a reporting verb.
# A possessive before "say" makes it a noun ("will have their say"), not a verb.
_VERB_SAID = (
    r"(?:said|says|(?<!their\s)(?<!its\s)(?<!his\s)(?<!her\s)(?<!our\s)(?<!a\s)say|"
    r"told|confirmed|announced|stated|reported|claimed|added|warned|denied)\b"
)
_REPORTING = re.compile(
    r"^(?:['’]s)?(?:\s+[\w'’()-]+){0,4}?\s+(?:has\s+|have\s+|had\s+)?" + _VERB_SAID
)
_ACCORDING = re.compile(r"according\s+to\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}$", re.IGNORECASE)
# A country's official named with an apposition before the verb: "New Zealand's ambassador
# to Brazil, Denise Almao, said". Only after a possessive, so the country the official is
# posted to ("... to Brazil, Denise Almao, said") is not taken for the speaker.
_REPORTING_APPOSITION = re.compile(
    r"^['’]s(?:\s+[\w'’()-]+){1,4}?,(?:\s+[\w'’.-]+){1,4},\s+(?:has\s+|have\s+|had\s+)?"
    + _VERB_SAID
)


# "A source from Turkey's ruling party ... confirmed", "sources in Japan": a source is
# who speaks, whatever verb follows and however far.
# Only a source that is someone: after "a", "the", a number or an informant's adjective,
# or opening a sentence ("Sources close to ..."); "water sources in Haiti" names no one.
_INFORMANT_WORDS = """a an the one two three some several many other unnamed anonymous
    informed reliable senior official government diplomatic security intelligence military
    police party political western local palestinian israeli"""
_SOURCE_FROM = re.compile(
    r"(?:(?:^|[.!?:;\"\u201c]\s*)|\b(?:"
    + "|".join(_INFORMANT_WORDS.split())
    + r")\s+)sources?\s+(?:from|in|close\s+to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _is_source(text: str, m: CountryMention) -> bool:
    """Whether the mention names who speaks ("Iraq's ambassador said", "according to
    SANA", "a source from Turkey") rather than what the story is about."""
    before = text[max(0, m.start - 60) : m.start]
    return bool(
        _REPORTING.match(text[m.end : m.end + 80])
        or _REPORTING_APPOSITION.match(text[m.end : m.end + 100])
        or ("ccording" in before and _ACCORDING.search(before))  # the cheap tests first
        or ("ource" in before and _SOURCE_FROM.search(before))
    )


# Where the story happens: a country or place named after a preposition of place ("in
# eastern Afghanistan", "off the town of Macapa") says where events are, not only who
# takes part. Prepositions of motion ("flew to Washington", "came from Sydney") name where
# someone goes or comes from, not where the story is, so they add nothing. Each setting
# adds this much. (Chosen on one dev file, checked on the other: see docs/tagging.md.)
_LOCATIVE_BONUS = 0.5
_REGION_BONUS = 2.0
# "north", "northern", ..., "central", and the quarters in every spelling wire copy uses:
# "north-east", "northeast", "north-eastern", "northeastern".
_COMPASS_WORDS = [
    *(f"{way}{ern}" for way in ("north", "south", "east", "west") for ern in ("", "ern")),
    "central",
    *(
        f"{ns}{dash}{ew}{ern}"
        for ns in ("north", "south")
        for ew in ("east", "west")
        for dash in ("-", "")
        for ern in ("", "ern")
    ),
]
# Words between a preposition of place and a place's name: "in the remote north-eastern
# province of ...".
_PLACE_ADJECTIVES = ("far", "neighbouring", "neighboring", "nearby", "rural", "remote", "occupied")
_PLACE_NOUNS = ("capital", "city", "town", "village", "province", "state", "region")
_PLACE_NOUNS_OF = ("city", "town", "village", "province", "state")  # "the city of Homs"
_PLACE_MODIFIERS = (
    r"(?:(?:"
    + "|".join(
        [
            *_COMPASS_WORDS,
            *_PLACE_ADJECTIVES,
            *(rf"{noun}\s+of" for noun in _PLACE_NOUNS_OF),
            *_PLACE_NOUNS,
        ]
    )
    + r")\s+)*"
)
_LOCATIVE_PREPOSITIONS = ("in", "inside", "across", "near", "throughout", "off", "at", "over")
_LOCATIVE = re.compile(
    r"\b(?:"
    + "|".join(_LOCATIVE_PREPOSITIONS)
    + r")\s+(?:the\s+)?"
    + _PLACE_MODIFIERS
    + r"(?:of\s+)?$",
    re.IGNORECASE,
)


# Every word `_LOCATIVE` is made of: a mention whose preceding word is none of them
# cannot follow it (the cheap test before the pattern).
_SETTING_LAST_WORDS = frozenset(
    [*_LOCATIVE_PREPOSITIONS, "the", "of", *_COMPASS_WORDS, *_PLACE_ADJECTIVES, *_PLACE_NOUNS]
)


# "eastern Afghanistan": a compass word in front of a name says it is a location, whatever
# preposition (or none) comes before it.
# Lower case only: a capitalised one starts a name ("the Northern Alliance").
# Also through a place type: "the northern city of Mazar-e-Sharif".
_COMPASS = re.compile(
    r"\b(?:" + "|".join(_COMPASS_WORDS) + r")\s+"
    r"(?:(?:city|town|village|province|state|region)\s+of\s+)?$"
)
# "in Amazonia, Brazil": a place then its country, after a preposition of place.
_PLACE_THEN_COUNTRY = re.compile(
    r"\b(?:in|at|near|outside|off)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2},\s+$"
)


# Where people meet or speak is not where the story is: "talks in Brussels", "the
# International Security Forum in central Moscow", "the diplomatic mission in Moscow",
# "Powell said in Berlin" name a venue; what the story is about is what they discuss.
# Buildings are not venues: "a bomb exploded outside the embassy in Jakarta" is the scene.
_VENUE = re.compile(
    r"\b(?:meetings?|talks|summit|conference|forum|negotiations|diplomatic\s+mission|"
    r"said|says|told\s+(?:reporters|journalists)|speaking|spoke)\s+(?:in|at)\s+(?:the\s+)?"
    + _PLACE_MODIFIERS
    + r"(?:of\s+)?$",
    re.IGNORECASE,
)


_WHERE_KINDS = frozenset({"name", "place"})


def _is_setting(text: str, m: CountryMention) -> bool:
    """Whether the mention (not a dateline: `mention_roles` settles those) is a place named
    as where something happens: after a preposition of place ("in eastern Afghanistan"),
    after a compass word ("the mountains of eastern Afghanistan"), or as the country after
    a place ("in Amazonia, Brazil"). A venue of talks or of a speech ("talks in Brussels",
    "said in Berlin") is none."""
    if m.kind not in _WHERE_KINDS:
        return False
    before = text[max(0, m.start - 60) : m.start]
    words = before.rsplit(None, 1)
    if not words:
        return False
    last = words[-1]
    if last.endswith(","):
        return bool(_PLACE_THEN_COUNTRY.search(before))
    # The cheap test first: the patterns can only end with one of their own words.
    if last.casefold() not in _SETTING_LAST_WORDS:
        return False
    located = bool(_COMPASS.search(before) or _LOCATIVE.search(before))
    return located and not _VENUE.search(before)


# Countries listed one after another ("attacks in Australia, Britain and India") are an
# enumeration: no one of them is where the story happens.
_AND_OR = re.compile(r"\b(?:and|or)\b")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:(?:and|or)\s+(?:the\s+)?)?|\s(?:and|or)\s+(?:the\s+)?)")
# Two names joined by "and" can be two clauses instead: "a bomber struck in Israel and the
# United States condemned it", "in Indonesia, and Australia urged calm". A pair is a list
# only when joined by a bare "and"/"or" and no verb follows the second name.
_PAIR_GAP = re.compile(r"\s+(?:and|or)\s+")
_VERB_AFTER = re.compile(
    r"\s+(?:is|are|was|were|has|have|had|will|would|could|can|may|might|must|should|did|"
    r"does|do|said|says|[a-z]+ed)\b"
)


def _listed(text: str, mentions: list[CountryMention]) -> list[bool]:
    """For each mention, whether it is a name or place in a list with another country's:
    a run joined by commas, "and" or "or" that holds an "and" or "or" ("Australia,
    Britain and India"). A comma alone is no list ("Afghanistan, Pakistan said"); two
    names are a list only when a bare "and" or "or" joins them and no verb follows ("in
    Kenya and Uganda", not "in Israel and the United States condemned")."""
    listed = [False] * len(mentions)
    run_start, joined = 0, False
    for i in range(1, len(mentions) + 1):
        gap = None
        if i < len(mentions):
            a, b = mentions[i - 1], mentions[i]
            if a.code != b.code and a.kind in _WHERE_KINDS and b.kind in _WHERE_KINDS:
                gap = _LIST_GAP.fullmatch(text, a.end, b.start)
        if gap is not None:
            joined = joined or "," not in gap.group(0) or bool(_AND_OR.search(gap.group(0)))
            continue
        if joined and (i - run_start > 2 or _a_pair(text, mentions[run_start], mentions[i - 1])):
            listed[run_start:i] = [True] * (i - run_start)
        run_start, joined = i, False
    return listed


def _a_pair(text: str, first: CountryMention, second: CountryMention) -> bool:
    """Whether two names joined by "and"/"or" are a pair of items, not two clauses."""
    return bool(_PAIR_GAP.fullmatch(text, first.end, second.start)) and not _VERB_AFTER.match(
        text, second.end
    )


class MentionRole(NamedTuple):
    """What a mention says about the story: `speaker`, it names who speaks; `setting`, it
    names where the story happens; `region`, that setting is a part of the country named
    by a compass word ("in eastern Afghanistan"); `lead`, it is in the first sentence;
    `restated`, it only repeats the mention before it, as an acronym in brackets
    ("Justice and Development Party (AKP)")."""

    speaker: bool
    setting: bool
    region: bool
    lead: bool = False
    restated: bool = False


# "Mackay in north Queensland", "Mount Gambier, in South Australia": a place then where it
# lies; the second name only says more about the first.
_WHERE_IT_LIES = re.compile(
    r",?\s+(?:in|near)\s+(?:the\s+)?(?:far\s+)?(?:(?:" + "|".join(_COMPASS_WORDS) + r")\s+)?"
)


# The first sentence ends at a full stop, question or exclamation mark (and a closing
# quote) before a word that is not lower case or an opening quote, or at a line break (a
# headline's end). Not at an abbreviation's stop: a single letter ("U.S. Embassy", "J.
# Smith") or a title ("Mr. Bush", "St. Petersburg"). Scripts without capitals (Arabic)
# start a sentence with any letter. The first few characters are passed over.
_STOP = re.compile("[.!?][\"'\u201d\u2019]?\\s+(?=\\S)|\n")
_WORD_BEFORE_STOP = re.compile(r"(?:^|\W)(\w+)$")
_ABBREVIATION_WORDS = "mr mrs ms dr st gen col lt sgt capt rev prof sen rep gov jr sr no vs"
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_OPENING_QUOTES = "\"'\u201c\u2018"
_LEAD_MIN = 20


def _ends_sentence(text: str, stop: re.Match[str]) -> bool:
    if stop.group() == "\n":
        return True
    after = text[stop.end()]
    if not (after in _OPENING_QUOTES or (after.isalpha() and not after.islower())):
        return False
    if text[stop.start()] != ".":
        return True
    word = _WORD_BEFORE_STOP.search(text, max(0, stop.start() - 12), stop.start())
    return word is None or (len(word[1]) > 1 and word[1].casefold() not in _ABBREVIATIONS)


def lead_end(text: str) -> int:
    """Where the article's first sentence (or headline) ends."""
    for stop in _STOP.finditer(text, _LEAD_MIN):
        if _ends_sentence(text, stop):
            return stop.start()
    return len(text)


def _restates(text: str, previous: CountryMention | None, m: CountryMention) -> bool:
    """Whether `m` is in brackets right after a mention of the same country: an acronym
    restating the name before it ("Justice and Development Party (AKP)")."""
    return (
        previous is not None
        and previous.code == m.code
        and m.surface.isupper()
        and text[m.end : m.end + 1] == ")"
        and text[previous.end : m.start].strip() == "("
    )


def mention_roles(text: str, mentions: list[CountryMention]) -> list[MentionRole]:
    """The role of each mention. A dateline is the setting, whatever follows it. A
    speaker's place is not the setting ("sources in Japan say") unless a compass word
    places it ("troops in eastern Afghanistan say": the region is where things happen),
    nor is a country in a list of countries; a place named as where another place of its
    country lies takes that place's role ("Bill Peel of Mackay in north Queensland": where
    he is from, not where the story is). Each mention also says whether it is in the lead
    sentence and whether it only restates the one before it."""
    listed = _listed(text, mentions)
    first_end = lead_end(text)
    roles: list[MentionRole] = []
    for i, (m, in_list) in enumerate(zip(mentions, listed, strict=True)):
        if m.dateline:
            roles.append(MentionRole(speaker=False, setting=True, region=False, lead=True))
            continue
        compass = bool(_COMPASS.search(text, max(0, m.start - 40), m.start))
        located = _is_setting(text, m)
        source = _is_source(text, m) and not (compass and located)
        previous = mentions[i - 1] if i else None
        if (
            previous is not None
            and previous.kind == "place"
            and previous.code == m.code
            and _WHERE_IT_LIES.fullmatch(text, previous.end, m.start)
        ):
            setting = roles[-1].setting
        else:
            setting = not source and not in_list and located
        region = setting and compass
        restated = _restates(text, previous, m)
        roles.append(MentionRole(source, setting, region, m.start < first_end, restated))
    return roles


def _summarise(mentions: list[CountryMention], gaz: Gazetteer, text: str = "") -> CountryResult:
    weight: dict[str, float] = defaultdict(float)  # salience, a share of the evidence
    counted: dict[str, float] = defaultdict(float)  # the primary country's score ...
    bonus: dict[str, float] = defaultdict(float)  # ... from these two
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    roles = mention_roles(text, mentions)
    for m, role in zip(mentions, roles, strict=True):
        source = _SOURCE_WEIGHT if role.speaker else 1.0
        weight[m.code] += _KIND_WEIGHT[m.kind] * source
        if not role.restated:  # salience keeps it: the story stage was tuned with it
            counted[m.code] += _PRIMARY_KIND_WEIGHT[m.kind] * source
        if role.setting:
            weight[m.code] += _LOCATIVE_BONUS
            bonus[m.code] += _PRIMARY_SETTING_BONUS
            if role.lead:
                bonus[m.code] += _PRIMARY_LEAD_SETTING_BONUS
        if role.region:
            bonus[m.code] += _REGION_BONUS
        evidence[m.code].append(Evidence(start=m.start, end=m.end, surface=m.surface, kind=m.kind))
    if mentions:
        weight[mentions[0].code] += _FIRST_MENTION_BONUS
        # A speaker named first ("United States peace envoy Anthony Zinni has told ...")
        # leads the story as much as its mention counts: half.
        lead_weight = _SOURCE_WEIGHT if roles[0].speaker else 1.0
        bonus[mentions[0].code] += _PRIMARY_FIRST_MENTION_BONUS * lead_weight
    total = sum(weight.values()) or 1.0
    first_seen = {m.code: m.start for m in reversed(mentions)}
    order = sorted(weight, key=lambda c: (-weight[c], first_seen[c]))
    tags = [
        CountryTag(
            code=code,
            name=gaz.country_names.get(code, code),
            count=len(evidence[code]),
            salience=round(weight[code] / total, 4),
            evidence=evidence[code],
        )
        for code in order
    ]
    return CountryResult(tags, _primary(counted, bonus, first_seen), mentions)


def _primary(
    counted: dict[str, float], bonus: dict[str, float], first_seen: dict[str, int]
) -> str | None:
    """The country with the highest primary score (the first named on a tie), when its
    share of all scores is at least `_PRIMARY_MIN_SALIENCE`."""
    if not counted:
        return None
    score = {code: value**_PRIMARY_COUNT_EXPONENT + bonus[code] for code, value in counted.items()}
    best = min(score, key=lambda c: (-score[c], first_seen[c]))
    return best if score[best] / sum(score.values()) >= _PRIMARY_MIN_SALIENCE else None
