"""Small, general rules about what a name in running text is: a place, a vehicle, a
headline, an organisation's whole name. Each looks only at the text around the name.

Pure functions; `entities.py` combines them. None names any particular document.
"""

from __future__ import annotations

import re

# Nouns that say the name after "of" (or before them) is a place: "the town of Millicent",
# "the settlement of Immanuel", "the forests of Spin Ghar", "Bayt Hanum township".
_PLACE_NOUNS = (
    r"town|township|city|village|settlement|suburb|province|district|region|area|state|county|"
    r"municipality|capital|camp|mountains|forests|valley|hills|island|islands|port|outskirts"
)
_PLACE_NOUN_OF = re.compile(rf"\b(?:{_PLACE_NOUNS})\s+of\s+(?:the\s+)?$", re.IGNORECASE)
# "Sharana, the provincial capital of Paktika". (Patterns used with `match(text, pos)`
# carry no "^": it would only match at the start of the whole text.)
_PLACE_APPOSITION = re.compile(
    r",\s+(?:the|a)\s+(?:[a-z-]+\s+){0,2}(?:capital|town|city|village|township|settlement)\b"
)
_PLACE_NOUN_AFTER = re.compile(r"\s+(?:township|province|district|region|village|suburb)\b")
# Prepositions of place right before a name: "from nearby Millicent", "in Khan Yunis".
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|from|outside|around|towards?|into|across|nearby|between)\s+"
    r"(?:nearby\s+|the\s+)?$"
)
# A vessel, aircraft or car named right after what it is: "his yacht, Seamaster",
# "its current model of Magna".
_VEHICLE_BEFORE = re.compile(
    r"\b(?:yacht|ship|boat|vessel|ferry|tanker|trawler|car|aircraft|plane|jet|helicopter|"
    r"model|models)\s*(?:of\s+)?,?\s*(?:the\s+)?$",
    re.IGNORECASE,
)
# A model designation: "B-52", "FA-18", "200", "767-300", "P-3".
_MODEL_CODE = re.compile(r"^(?:[A-Z]{1,3}-?\d[\w-]*|\d[\d-]*)$")
# Titles written after a name: "Terrence Cole QC", "Peter Blake OBE".
_TRAILING_TITLES = re.compile(r"(?:\s+(?:QC|SC|MP|MLA|MLC|OBE|MBE|CBE|KC|Jr|Jnr|Snr|Sr)\.?)+$")
_LEADING_ARTICLE = re.compile(r"^(?:An?|The|of|Of|for|For)\s+(?:the\s+)?")
# "anti-Taliban forces" name the Taliban: the prefix is a stance, not part of the name.
_STANCE_PREFIX = re.compile(r"^(?:anti|pro|ex)-(?=[A-Z])")
# An article in front of an acronym is not part of the name in French, Spanish or German:
# "La SNCF", "El PSOE", "Die SPD".
_ARTICLE_BEFORE_ACRONYM = re.compile(
    r"^(?:La|Le|Les|L['’]|El|Los|Las|Die|Der|Das)\s*(?=[A-Z]{2,}\b)"
)
_POSSESSIVE_OWNER = re.compile(r"^[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?['’]s\s+(?=[A-Z])")
# Generic nouns written in lower case after a name: "Fars news agency", "Afghan militia".
# (Only these: in French or Spanish a lower-case adjective is part of the name, as in
# "Union européenne".)
_TRAILING_LOWER = re.compile(
    r"(?:\s+(?:news|press|state|semi-official|official))*\s+(?:agency|company|militia|militias|"
    r"group|firm|network|newspaper|daily|channel|movement|corporation|outlet|broadcaster)$"
)
_ACRONYM_IN_BRACKETS = re.compile(r"\s*\(.*$")
_HEADLINE_MIN_WORDS = 4
_HEADLINE_CAPITALISED = 0.7
_SMALL_WORDS = frozenset(
    {"a", "an", "the", "of", "for", "and", "or", "to", "in", "on", "at", "by", "with", "from"}
)


def place_framed(text: str, start: int, end: int) -> bool:
    """Whether the text calls the name at [start, end) a place: "town of X", "X township"."""
    before = text[max(0, start - 40) : start]
    return bool(
        _PLACE_NOUN_OF.search(before)
        or _PLACE_NOUN_AFTER.match(text, end)
        or _PLACE_APPOSITION.match(text, end)
    )


def locative(text: str, start: int) -> bool:
    """Whether a preposition of place comes right before the name at `start`."""
    return bool(_LOCATIVE_BEFORE.search(text[max(0, start - 30) : start]))


def vehicle_named(text: str, start: int) -> bool:
    """Whether the name at `start` follows the word for a vessel, aircraft or car model."""
    return bool(_VEHICLE_BEFORE.search(text[max(0, start - 30) : start]))


_FACILITY_AFTER = re.compile(
    r"\s+(?:Place|Street|St|Road|Rd|Square|Avenue|Ave|Lane|Bridge|Tower|Towers|Mall|Plaza|Wharf)\b"
)


def facility_after(text: str, end: int) -> bool:
    """Whether a street or building word follows the name ("Collins Place", "Russell
    Street", "Russell and Collins streets"): the name is part of a facility's."""
    return bool(_FACILITY_AFTER.match(text, end) or _STREETS_AFTER.match(text, end))


def model_code_after(text: str, end: int) -> bool:
    """Whether a model designation follows the name ("Boeing 767-300", "Beech 200")."""
    match = re.match(r"\s+(\S+)", text[end : end + 20])
    return bool(match and _MODEL_CODE.match(match.group(1).rstrip(".,;:")))


def without_model_code(name: str) -> str:
    """`name` without model designations at its end ("Air Force B-52" -> "Air Force");
    empty when only a maker and a model remain ("Beech 200", "US B-1")."""
    words = name.split()
    while words and _MODEL_CODE.match(words[-1]):
        words.pop()
    if len(words) < len(name.split()) and len(words) <= 1:
        return ""
    return " ".join(words)


def without_trailing_titles(name: str) -> str:
    """A person's name without post-nominal titles ("Terrence Cole QC" -> "Terrence Cole")."""
    return _TRAILING_TITLES.sub("", name).strip()


def org_core(name: str) -> str:
    """An organisation's own name from an NER span: no acronym in brackets after it, no
    leading article or stray preposition, no generic lower-case words after it
    ("Fars news agency" -> "Fars"; "An Israeli Defence Ministry" -> "Israeli Defence
    Ministry"; "Construction ... Union (CFMEU" -> "Construction ... Union"; "La SNCF" ->
    "SNCF")."""
    name = _ACRONYM_IN_BRACKETS.sub("", name)
    name = _POSSESSIVE_OWNER.sub("", _LEADING_ARTICLE.sub("", name))
    name = _ARTICLE_BEFORE_ACRONYM.sub("", name)
    name = _STANCE_PREFIX.sub("", name)
    return _TRAILING_LOWER.sub("", name).strip(" ,")


def headline_ranges(text: str) -> list[tuple[int, int]]:
    """[start, end) of lines written in title case with no sentence end: headlines and
    link titles, whose capitalised words are not names ("Meeting Soon to Prepare Roadmap
    for Normalization Between Turkey and Syria")."""
    ranges = []
    offset = 0
    for line in text.split("\n"):
        words = [
            w for w in re.findall(r"[A-Za-z][\w'’-]*", line) if w.casefold() not in _SMALL_WORDS
        ]
        stripped = line.strip()
        if (
            len(words) >= _HEADLINE_MIN_WORDS
            and not stripped.endswith((".", "!", "?", '"', "”", ":"))
            and sum(w[0].isupper() for w in words) / len(words) >= _HEADLINE_CAPITALISED
        ):
            ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def inside(ranges: list[tuple[int, int]], start: int) -> bool:
    """Whether `start` falls in one of `ranges`."""
    return any(a <= start < b for a, b in ranges)


# Words that say the name right after them is a person's: kin ("daughter-in-law Alissa"),
# "a man known as Nick", or an office and a comma ("the head of security, Jabril Rajoub").
_PERSON_CUE_BEFORE = re.compile(
    r"\b(?:(?:son|daughter|son-in-law|daughter-in-law|wife|husband|brother|sister|mother|"
    r"father|widow|widower|uncle|aunt|nephew|niece|cousin|grandson|granddaughter|"
    r"grandmother|grandfather|girlfriend|boyfriend|fiancee|fiance)|known\s+as|"
    r"(?:head|leader|chief|spokesman|spokeswoman|director|chairman|chairwoman|commander|"
    r"ambassador|envoy|coach|manager|founder|editor|lawyer|adviser|advisor)"
    r"(?:\s+of\s+(?:the\s+)?[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})?\s*,)\s*$"
)
# Words for a kind of organisation right before a name: "PR company Jour J", "car maker
# Mitsubishi", "the airline Ansett".
_ORG_CUE_BEFORE = re.compile(
    r"\b(?:company|firm|airline|carrier|bank|insurer|retailer|newspaper|magazine|"
    r"broadcaster|network|maker|manufacturer|brewer|miner|developer|consortium|sponsor|"
    r"sponsors|agency|club|outfit)\s*,?\s+$"
)
# A group of people that belongs to an organisation, right after its name: "Ansett workers".
_ORG_MEMBERS_AFTER = re.compile(
    r"\s+(?:workers|employees|shareholders|customers|passengers|pilots|executives|"
    r"administrators|creditors|staff)\b"
)
# People take no indefinite article: "a tribal Shura" is a body, "a Boeing" a product.
_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an)\s+(?:[a-z][\w-]*\s+)?$")
# Ranks that the NER sometimes reads as an organisation: "Sergeant First (Class)".
_RANKS = frozenset(
    {
        "Sergeant", "First", "Class", "Master", "Staff", "Corporal", "Private", "Lieutenant",
        "Colonel", "General", "Major", "Captain", "Admiral", "Commander", "Brigadier",
        "Warrant", "Officer", "Chief", "Petty", "Specialist", "Lance",
    }
)  # fmt: skip
_CAPITALISED_NEXT = re.compile(r"\s+[A-Z][a-z]")


# An apposition that says what kind of body the name is: "Ezzedin al-Qassam, the military
# wing of Hamas", "Laskar Jihad, a militant group".
_ORG_APPOSITION = re.compile(
    r",\s+(?:the|a|an)\s+(?:[a-z-]+\s+){0,2}(?:wing|group|faction|movement|party|company|"
    r"organisation|organization|militia|brigade|brigades|network|agency|firm|union|"
    r"charity|newspaper|broadcaster|airline|bank)\b"
)
# A name right after "in", "across" or "throughout" is a place, not a person: "training
# camps in Java".
_IN_BEFORE = re.compile(r"\b(?:in|across|throughout)\s+$")
_STREETS_AFTER = re.compile(
    r"(?:\s+and\s+[A-Z][\w'-]*)?\s+(?:streets|Streets|roads|Roads|avenues|Avenues)\b"
)


def person_cue_before(text: str, start: int) -> bool:
    """Whether the words before `start` say a person's name follows ("his daughter-in-law
    Alissa", "a man known as Nick", "the head of security, Jabril Rajoub")."""
    return bool(_PERSON_CUE_BEFORE.search(text[max(0, start - 50) : start]))


def org_cue_around(text: str, start: int, end: int) -> bool:
    """Whether the words around a name say it is an organisation's: a kind of organisation
    before it ("PR company Jour J") or its workforce after it ("Ansett workers")."""
    return bool(
        _ORG_CUE_BEFORE.search(text[max(0, start - 30) : start])
        or _ORG_MEMBERS_AFTER.match(text, end)
        or _ORG_APPOSITION.match(text, end)
    )


def in_place(text: str, start: int, end: int) -> bool:
    """Whether a one-word name comes right after "in", "across" or "throughout" and is not
    an owner ("in Java", but not "in Howard's view")."""
    return (
        " " not in text[start:end]
        and bool(_IN_BEFORE.search(text[max(0, start - 15) : start]))
        and not text.startswith(("'s", "’s"), end)
    )


def indefinite_before(text: str, start: int) -> bool:
    """Whether an indefinite article (and at most one lower-case word) comes right before
    `start` ("a tribal Shura"): no person's name takes one."""
    return bool(_INDEFINITE_BEFORE.search(text[max(0, start - 30) : start]))


def rank_words(name: str, text: str, end: int) -> bool:
    """Whether an organisation-looking name is only ranks ("Sergeant First") or ends in a
    rank right before a person's name ("Joint Chiefs General" Richard Myers): an office,
    not an organisation."""
    words = name.split()
    if words and all(w in _RANKS for w in words):
        return True
    return len(words) > 1 and words[-1] in _RANKS and bool(_CAPITALISED_NEXT.match(text, end))


_DOTTED_LEFT = re.compile(r"[A-Za-z0-9]+\.$")
_DOTTED_RIGHT = re.compile(r"\.[A-Za-z]{2,}\b")


def dotted_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to a whole dotted name the NER cut ("One.Tel" from "Tel",
    "IslamOnline.net" from "IslamOnline"); unchanged when the name is not dotted."""
    left = _DOTTED_LEFT.search(text[max(0, start - 20) : start])
    if left:
        start -= len(left.group(0))
    right = _DOTTED_RIGHT.match(text, end)
    if right:
        end = right.end()
    return start, end


def lower_case_description(name: str) -> bool:
    """Whether an organisation-looking name starts in lower case ("ministre des
    Transports", "de Genève"): a description or a stray preposition, not a name. Arabic
    names with the article ("al-Watan") are names."""
    return bool(name) and name[0].islower() and not name.startswith(("al-", "el-"))


def term_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether the name at [start, end) is a bracketed abbreviation of the lower-case words
    before it ("genetically modified (GM)"): a term, not an organisation."""
    acronym = text[start:end]
    if not (text[start - 1 : start] == "(" and text[end : end + 1] == ")" and acronym.isupper()):
        return False
    words = re.findall(r"[\w'-]+", text[max(0, start - 80) : start - 1])[-len(acronym) :]
    return (
        len(words) == len(acronym)
        and all(w.islower() for w in words)
        and "".join(w[0] for w in words).upper() == acronym
    )


# "a bomb called the Daisy Cutter", "an operation dubbed Enduring Freedom": a thing given a
# name, which is no organisation unless the noun says it is one ("a group called ...").
_CALLED_BEFORE = re.compile(
    r"\b([a-z]+)\s+(?:called|dubbed|nicknamed|named|code-named|codenamed)\s+(?:the\s+)?$"
)
_ORG_KIND_NOUNS = frozenset(
    {
        "company", "firm", "group", "organisation", "organization", "party", "movement",
        "agency", "network", "band", "team", "club", "charity", "union", "militia", "faction",
        "outfit", "business", "body", "institute", "foundation", "cell", "coalition",
    }
)  # fmt: skip


def thing_named(text: str, start: int) -> bool:
    """Whether the name at `start` is what a thing is called ("a bomb called the Daisy
    Cutter"), the thing not being a kind of organisation."""
    match = _CALLED_BEFORE.search(text[max(0, start - 40) : start])
    return bool(match and match.group(1) not in _ORG_KIND_NOUNS)
