"""General rules about names in running text, each on made-up sentences, and what they
do to extracted entities."""

from __future__ import annotations

from newswire.tagging.entities import person_name
from newswire.tagging.entity_rules import (
    facility_after,
    headline_ranges,
    locative,
    model_code_after,
    org_core,
    place_framed,
    vehicle_named,
    without_model_code,
)

from .test_entities import entities


def test_the_text_can_call_a_name_a_place() -> None:
    text = "near the settlement of Immanuel and in the township of Bayt Hanum"
    assert place_framed(text, text.index("Immanuel"), text.index("Immanuel") + 8)
    text = "jets hit Sharana, the provincial capital of Paktika"
    assert place_framed(text, text.index("Sharana"), text.index("Sharana") + 7)
    text = "Sharana said the jets had gone"
    assert not place_framed(text, 0, 7)


def test_prepositions_of_place() -> None:
    text = "a nurse from nearby Millicent was hurt"
    assert locative(text, text.index("Millicent"))
    assert not locative("Millicent said she was hurt", 0)


def test_vessels_models_and_facilities_are_not_names() -> None:
    text = "pirates boarded his yacht, Seamaster, at dawn"
    assert vehicle_named(text, text.index("Seamaster"))
    assert model_code_after("a Beech 200 crashed", len("a Beech"))
    assert model_code_after("the Boeing 767-300 landed", len("the Boeing"))
    assert not model_code_after("the Force-17 unit", len("the Force-17"))
    assert without_model_code("Air Force B-52") == "Air Force"
    assert without_model_code("Beech 200") == ""
    assert facility_after("marched to Collins Place.", len("marched to Collins"))


def test_an_organisation_keeps_its_own_name_only() -> None:
    assert org_core("Fars news agency") == "Fars"
    assert org_core("An Israeli Defence Ministry") == "Israeli Defence Ministry"
    assert org_core("Construction, Forestry, Mining and Energy Union (CFMEU") == (
        "Construction, Forestry, Mining and Energy Union"
    )
    assert org_core("Adelaide's Islamic Society") == "Islamic Society"
    assert org_core("Union européenne") == "Union européenne"  # French adjectives stay


def test_titles_before_and_after_a_name_go() -> None:
    assert person_name("Terrence Cole QC") == "Terrence Cole"
    assert person_name("Mullah Mohammad Omar") == "Mohammad Omar"
    assert person_name("Shadow Treasurer Bob McMullan") == "Bob McMullan"
    assert person_name("Sheikh") == "" and person_name("Treasurer") == ""
    assert person_name("Prince William") == "Prince William"


def test_title_case_lines_are_headlines() -> None:
    text = "Meeting Soon to Prepare Roadmap for Normalization Between Turkey and Syria\nThe talks began."
    assert headline_ranges(text) == [(0, text.index("\n"))]
    assert headline_ranges("Mr Smith Went To Washington and said so.") == []


def test_a_headline_fragment_is_no_person_but_a_name_in_the_body_is() -> None:
    text = "Talks To Prepare Roadmap For Peace In Syria\nAli Mamlouk met Ali Shamkhani. Mamlouk said so."
    found = entities(
        text,
        ("PERSON", "Prepare Roadmap"),
        ("PERSON", "Ali Mamlouk"),
        ("PERSON", "Ali Shamkhani"),
        ("PERSON", "Mamlouk"),
    )
    assert found["person"] == ["Ali Mamlouk", "Ali Shamkhani"]


def test_short_forms_join_the_full_name_and_counts_are_real() -> None:
    from newswire.tagging.countries import tag_countries
    from newswire.tagging.entities import extract_entities
    from newswire.tagging.gazetteer import load_gazetteer

    from .test_entities import spans_for

    text = "Osama bin Laden was seen. Bin Laden's aides fled. Bin Laden is hiding. Fars news agency said, and Fars added."
    spans = spans_for(
        text,
        ("PERSON", "Osama bin Laden"),
        ("PERSON", "Bin Laden's"),
        ("PERSON", "Bin Laden"),
        ("ORG", "Fars news agency"),
        ("ORG", "Fars"),
    )
    gaz = load_gazetteer()
    tags = extract_entities(text, spans, tag_countries(text, spans, gaz).mentions, gaz)
    counts = {(e.name, e.kind): e.count for e in tags}
    assert counts == {("Osama bin Laden", "person"): 3, ("Fars", "org"): 2}


def test_places_the_ner_calls_people_or_organisations_are_places() -> None:
    text = (
        "Al Qaeda fighters fled Tora Bora in Afghanistan. A nurse from nearby Millicent in "
        "South Australia was hurt. Staff at Villawood in Sydney said so."
    )
    found = entities(
        text,
        ("PERSON", "Tora Bora"),
        ("GPE", "Afghanistan"),
        ("PERSON", "Millicent"),
        ("GPE", "South Australia"),
        ("ORG", "Villawood"),
        ("GPE", "Sydney"),
    )
    assert found["person"] == [] and found["org"] == []
    assert {"Tora Bora", "Millicent", "Villawood"} <= set(found["place"])


def test_a_town_name_that_is_a_person_here_stays_a_person() -> None:
    text = "Prime Minister John Howard spoke in Canberra. Mr Howard said Australia would act."
    found = entities(
        text,
        ("PERSON", "John Howard"),
        ("GPE", "Canberra"),
        ("PERSON", "Howard"),
        ("GPE", "Australia"),
    )
    assert found["person"] == ["John Howard"]


def test_peoples_and_generic_words_are_not_entities() -> None:
    text = (
        "Druze and Pashtun leaders met the Opposition and Westpac and the National Australia Bank."
    )
    found = entities(
        text,
        ("PERSON", "Druze"),
        ("ORG", "Pashtun"),
        ("ORG", "Opposition"),
        ("PERSON", "Westpac"),
        ("ORG", "National Australia Bank"),
    )
    assert found["person"] == []
    assert found["org"] == ["Westpac", "National Australia Bank"]


def test_a_leader_named_by_his_government_is_a_person() -> None:
    found = entities("The Howard Government and the Federal Government disagreed.")
    assert found["person"] == ["Howard"]
