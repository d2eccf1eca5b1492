"""General rules about names in running text, each on made-up sentences, and what they
do to extracted entities."""

from __future__ import annotations

from newswire.tagging.entities import person_name
from newswire.tagging.entity_rules import (
    dotted_extent,
    facility_after,
    headline_ranges,
    indefinite_before,
    locative,
    lower_case_description,
    model_code_after,
    org_core,
    person_cue_before,
    place_framed,
    rank_words,
    term_abbreviation,
    thing_named,
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
        "Fighters fled Tora Bora in Afghanistan. A nurse from nearby Millicent in "
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


def test_words_before_a_name_can_say_it_is_a_person() -> None:
    text = "He lost his daughter-in-law Alissa. A man known as Nick spoke."
    assert person_cue_before(text, text.index("Alissa"))
    assert person_cue_before(text, text.index("Nick"))
    text = "the head of security, Jabril Rajoub, said"
    assert person_cue_before(text, text.index("Jabril"))
    assert not person_cue_before("Staff at Westpac said", len("Staff at "))


def test_organisations_the_ner_calls_people_or_people_it_calls_organisations() -> None:
    text = (
        "PR company Jour J said so. Ansett workers sang. A man known as Nick told reporters. "
        "Ezzedin al-Qassam, the military wing of Hamas, claimed the attack."
    )
    found = entities(
        text,
        ("PERSON", "Jour J"),
        ("PERSON", "Ansett"),
        ("ORG", "Nick"),
        ("PERSON", "Ezzedin al-Qassam"),
        ("ORG", "Hamas"),
    )
    assert found["person"] == ["Nick"]
    assert found["org"] == ["Jour J", "Ansett", "Ezzedin al-Qassam", "Hamas"]


def test_a_one_word_organisation_stays_one_where_the_ner_calls_it_a_person() -> None:
    text = "Staff at Westpac struck. Westpac's David Lording disagreed."
    found = entities(text, ("ORG", "Westpac"), ("PERSON", "Westpac"), ("PERSON", "David Lording"))
    assert found == {"person": ["David Lording"], "org": ["Westpac"], "place": []}


def test_articles_trophies_ranks_and_places_after_in_are_not_people_or_orgs() -> None:
    assert indefinite_before("run by a tribal Shura", len("run by a tribal "))
    assert not indefinite_before("run by Shura", len("run by "))
    assert rank_words("Sergeant First", "Sergeant First Class Daniel", len("Sergeant First"))
    text = "the Joint Chiefs General Richard Myers"
    assert rank_words("Joint Chiefs General", text, text.index(" Richard"))
    assert not rank_words("Joint Chiefs", "the Joint Chiefs met", len("the Joint Chiefs"))
    text = "camps in Java. He won the Jules Verne Trophy. In Howard's view, no."
    found = entities(
        text, ("PERSON", "Java"), ("PERSON", "Jules Verne Trophy"), ("PERSON", "Howard")
    )
    assert found["person"] == ["Howard"] and found["place"] == ["Java"]
    assert facility_after("Russell and Collins streets", len("Russell"))


def test_a_dotted_name_is_one_organisation() -> None:
    text = "The director of One.Tel denied it; IslamOnline.net said so."
    assert dotted_extent(text, text.index("Tel"), text.index("Tel") + 3) == (
        text.index("One.Tel"),
        text.index("One.Tel") + 7,
    )
    found = entities(text, ("PERSON", "Tel"), ("ORG", "IslamOnline"))
    assert found["org"] == ["One.Tel", "IslamOnline.net"] and found["person"] == []


def test_spellings_of_one_organisation_join_and_a_joined_span_splits() -> None:
    text = (
        "The Palestinian Authority acted. Palestinian Authorities detained 160. Al Qaeda and "
        "al-Qaeda are one. The study by the Australian National University for the New South "
        "Wales Bureau of Crime Statistics is out."
    )
    found = entities(
        text,
        ("ORG", "Palestinian Authority"),
        ("ORG", "Palestinian Authorities"),
        ("ORG", "Al Qaeda"),
        ("ORG", "al-Qaeda"),
        (
            "ORG",
            "Australian National University for the New South Wales Bureau of Crime Statistics",
        ),
    )
    assert found["org"] == [
        "Palestinian Authority",
        "Al Qaeda",
        "Australian National University",
        "New South Wales Bureau of Crime Statistics",
    ]


def test_well_known_organisations_are_found_where_the_ner_misses_them() -> None:
    text = "Jets hit the Al Qaeda hideout; the United Nations protested."
    found = entities(text, ("ORG", "United Nations"))
    assert found["org"] == ["Al Qaeda", "United Nations"]


def test_foreign_articles_before_acronyms_and_lower_case_descriptions() -> None:
    assert org_core("La SNCF") == "SNCF"
    assert org_core("Le Monde") == "Le Monde"
    assert org_core("anti-Taliban") == "Taliban"
    assert lower_case_description("ministre des Transports")
    assert lower_case_description("de Genève")
    assert not lower_case_description("al-Watan")
    assert not lower_case_description("SNCF")


def test_a_bracketed_abbreviation_of_lower_case_words_is_a_term() -> None:
    text = "foods with genetically modified (GM) crops"
    assert term_abbreviation(text, text.index("GM"), text.index("GM") + 2)
    text = "the Transport Workers Union (TWU) said"
    assert not term_abbreviation(text, text.index("TWU"), text.index("TWU") + 3)


def test_acronyms_defined_in_the_text() -> None:
    text = (
        "An AFP journalist said so. Senior Construction Forestry Mining and Energy Union "
        "(CFMEU) officials spoke. The Australian Federal Police (AFP) arrested him; the AFP "
        "said more."
    )
    found = entities(
        text,
        ("ORG", "AFP"),
        ("ORG", "Australian Federal Police"),
        ("ORG", "AFP"),
        ("ORG", "AFP"),
    )
    # The earlier AFP is another body; the union is found from its definition alone.
    assert found["org"] == [
        "AFP",
        "Construction Forestry Mining and Energy Union",
        "Australian Federal Police",
    ]


def test_a_service_named_after_its_aircraft_is_kept() -> None:
    text = "There are two P-3 aircraft, the Royal Australian Air Force here."
    found = entities(text, ("ORG", "the Royal Australian Air Force"))
    assert found["org"] == ["Royal Australian Air Force"]


def test_a_thing_given_a_name_is_no_organisation() -> None:
    text = "a bomb called the Daisy Cutter and a group called Jemaah Islamiah"
    assert thing_named(text, text.index("Daisy"))
    assert not thing_named(text, text.index("Jemaah"))
    found = entities(text, ("ORG", "the Daisy Cutter"), ("ORG", "Jemaah Islamiah"))
    assert found["org"] == ["Jemaah Islamiah"]


def test_group_names_and_web_sites_are_organisations() -> None:
    text = "the Ansar al-Islam group is active, IslamOnline.net said."
    found = entities(text, ("PERSON", "Ansar al-Islam"))
    assert found["person"] == [] and found["org"] == ["Ansar al-Islam", "IslamOnline.net"]
