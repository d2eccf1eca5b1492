"""Entity extraction: titles, merging within an article, aliases, and what is not an org."""

from __future__ import annotations

from newswire.tagging.countries import CountryMention, tag_countries
from newswire.tagging.entities import clean_name, extract_entities, strip_title
from newswire.tagging.gazetteer import load_gazetteer
from newswire.tagging.spans import NerSpan


def spans_for(text: str, *items: tuple[str, str]) -> list[NerSpan]:
    found = []
    cursor = 0
    for label, surface in items:
        start = text.index(surface, cursor)
        found.append(NerSpan(label, start, start + len(surface), surface))
        cursor = start + 1
    return found


def entities(text: str, *items: tuple[str, str]) -> dict[str, list[str]]:
    gaz = load_gazetteer()
    spans = spans_for(text, *items)
    result = extract_entities(text, spans, tag_countries(text, spans, gaz).mentions, gaz)
    out: dict[str, list[str]] = {"person": [], "org": [], "place": []}
    for e in result:
        out[e.kind].append(e.name)
    return out


def test_titles_are_stripped() -> None:
    assert strip_title("Maj. Gen. Mamlouk") == "Mamlouk"
    assert strip_title("President Robert Mugabe") == "Robert Mugabe"
    assert strip_title("Prince William") == "Prince William"


def test_possessive_and_leading_the_are_removed() -> None:
    assert clean_name("the Kremlin's") == "Kremlin"


def test_mentions_of_one_person_merge_under_the_fullest_name() -> None:
    text = "Ali Mamlouk arrived. Mamlouk said more. Later Maj. Gen. Mamlouk left."
    found = entities(
        text, ("PERSON", "Ali Mamlouk"), ("PERSON", "Mamlouk"), ("PERSON", "Maj. Gen. Mamlouk")
    )
    assert found["person"] == ["Ali Mamlouk"]


def test_spelling_variants_merge() -> None:
    text = "Asaad al-Shibani spoke. Asad al-Shibani later left."
    assert entities(text, ("PERSON", "Asaad al-Shibani"), ("PERSON", "Asad al-Shibani"))[
        "person"
    ] == ["Asaad al-Shibani"]


def test_surname_first_then_full_name_keeps_the_full_name() -> None:
    text = "Shamkhani met him. Ali Shamkhani said so."
    assert entities(text, ("PERSON", "Shamkhani"), ("PERSON", "Ali Shamkhani"))["person"] == [
        "Ali Shamkhani"
    ]


def test_acronym_in_brackets_is_an_alias() -> None:
    text = "Turkey's ruling Justice and Development Party (AKP) said the AKP would win."
    found = entities(text, ("ORG", "Justice and Development Party"), ("ORG", "AKP"))
    assert found["org"] == ["Justice and Development Party"]


def test_person_named_as_a_modifier() -> None:
    assert entities("A senior Bush administration official spoke.")["person"] == ["Bush"]
    # A people's administration is no person's.
    text = "Talks with the Kurdish administration resumed, Kurdish officials said."
    assert entities(text, ("NORP", "Kurdish"), ("NORP", "Kurdish"))["person"] == []


def test_events_and_governments_are_not_organisations() -> None:
    text = "At the International Security Forum the Federal Government spoke."
    found = entities(text, ("ORG", "International Security Forum"), ("ORG", "Federal Government"))
    assert found["org"] == []


def test_person_mislabelled_as_org_is_dropped() -> None:
    text = "Ali Mamlouk met Iran's envoy. Mamlouk left."
    found = entities(text, ("PERSON", "Ali Mamlouk"), ("ORG", "Mamlouk"))
    assert found == {"person": ["Ali Mamlouk"], "org": [], "place": []}


def test_state_media_tagged_as_person_becomes_an_org() -> None:
    text = "Iran's Fars news agency reported the visit."
    assert entities(text, ("PERSON", "Fars"))["org"] == ["Fars"]


def test_spans_across_paragraphs_are_ignored() -> None:
    text = "Moscow Talks\n\nSecurity officials met."
    assert entities(text, ("ORG", "Talks\n\nSecurity"))["org"] == []


def test_places_link_to_their_country() -> None:
    gaz = load_gazetteer()
    text = "Officials met in Tehran."
    spans = spans_for(text, ("GPE", "Tehran"))
    [place] = extract_entities(text, spans, tag_countries(text, spans, gaz).mentions, gaz)
    assert (place.kind, place.country, place.count) == ("place", "IR", 1)


def test_organisation_names_keep_words_that_are_also_titles() -> None:
    text = "General Motors and the Chief Rabbinate issued statements."
    found = entities(text, ("ORG", "General Motors"), ("ORG", "Chief Rabbinate"))
    assert found["org"] == ["General Motors", "Chief Rabbinate"]


def test_a_place_takes_the_country_the_tagger_resolved_for_it() -> None:
    gaz = load_gazetteer()
    text = "Sydney, Nova Scotia, and the rest of Canada braced for the storm."
    spans = spans_for(text, ("GPE", "Sydney"))
    places = [
        e
        for e in extract_entities(text, spans, tag_countries(text, spans, gaz).mentions, gaz)
        if e.kind == "place"
    ]
    assert [(p.name, p.country) for p in places] == [("Sydney", "CA")]


def test_a_place_the_ner_calls_a_person_or_org_is_a_place() -> None:
    text = "Clashes were reported in Luhansk and the port of Tartus, Syrian media said."
    found = entities(text, ("PERSON", "Luhansk"), ("ORG", "Tartus"), ("NORP", "Syrian"))
    assert found["person"] == [] and found["org"] == []
    assert found["place"] == ["Luhansk", "Tartus"]


def test_a_surname_that_is_also_a_place_stays_a_person() -> None:
    text = "Jack London wrote about the sea. Later London sailed to Hawaii."
    spans = spans_for(text, ("PERSON", "Jack London"), ("PERSON", "London"), ("GPE", "Hawaii"))
    later = spans[1]
    # Even were the country tagger to read the second "London" as the city, the fuller
    # name earlier in the text keeps it a person.
    as_city = CountryMention(later.start, later.end, "London", "GB", "place")
    result = extract_entities(text, spans, [as_city], load_gazetteer())
    assert [(e.name, e.kind) for e in result if e.kind != "place" or e.name == "London"] == [
        ("Jack London", "person")
    ]


def test_a_state_body_keeps_the_nationality_written_before_it() -> None:
    text = "The talks failed, Russian Foreign Ministry spokesman Boris Malakhov said."
    found = entities(
        text, ("NORP", "Russian"), ("ORG", "Foreign Ministry"), ("PERSON", "Boris Malakhov")
    )
    assert found["org"] == ["Russian Foreign Ministry"]
    assert found["person"] == ["Boris Malakhov"]


def test_an_office_before_a_name_is_not_an_organisation() -> None:
    text = "He answered U.S. Defense Secretary Donald Rumsfeld on Saturday."
    found = entities(text, ("GPE", "U.S."), ("ORG", "Defense"), ("PERSON", "Donald Rumsfeld"))
    assert found["org"] == []


def test_a_regnal_number_joins_the_short_form() -> None:
    text = "Pope John Paul II spoke. Later John Paul said more."
    found = entities(text, ("PERSON", "John Paul II"), ("PERSON", "John Paul"))
    assert found["person"] == ["John Paul II"]


def test_the_tail_of_a_country_name_before_government_is_no_leader() -> None:
    found = entities("The United States government said so.", ("GPE", "The United States"))
    assert found["person"] == []


def test_a_place_span_after_a_personal_title_is_a_person() -> None:
    text = "South African President Thabo Mbeki spoke in Johannesburg."
    found = entities(text, ("GPE", "Thabo Mbeki"), ("GPE", "Johannesburg"))
    assert found["person"] == ["Thabo Mbeki"] and found["place"] == ["Johannesburg"]


def test_a_name_with_a_post_nominal_title_is_a_person_even_without_the_ner() -> None:
    found = entities("Counsel assisting Lionel Robbards QC told the commission.")
    assert found["person"] == ["Lionel Robbards"]
