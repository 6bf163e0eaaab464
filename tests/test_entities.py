"""Entity label repair, canonical names and descriptors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsledger.analyze.coref import Referent, Resolver, canonical_people, clean_name
from newsledger.analyze.entities import build_resolver, find_entities, load
from newsledger.analyze.nlp import get_nlp, sentence_of
from newsledger.analyze.pipeline import Context
from newsledger.schema import Article, Source


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def ents(nlp, text, outlet=None):
    return [(e.text, e.label, e.canonical, e.descriptor) for e in find_entities(nlp(text), outlet)]


def test_seed_corrections_and_canonical_names(nlp, seed_path):
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    text = "\n\n".join(l.strip() for l in lines[46:52])
    found = find_entities(nlp(text), "Sputnik International")
    by_text = {}
    for e in found:
        by_text.setdefault(e.text, set()).add((e.label, e.canonical))
    assert by_text["Donbass"] == {("GPE", "Donbass")}
    assert by_text["Seversk"] == {("GPE", "Seversk")}
    assert by_text["Kiev"] == {("GPE", "Kiev")}
    assert by_text["Sputnik"] == {("ORG", "Sputnik")}
    assert by_text["Trump"] == {("PERSON", "Donald Trump")}
    assert by_text["Korotchenko"] == {("PERSON", "Igor Korotchenko")}
    people = [e for e in found if e.label == "PERSON" and e.canonical == "Igor Korotchenko"]
    assert len(people) == 4
    assert {e.descriptor for e in people} == {"military analyst"}
    for e in found:
        assert text[e.start : e.end] == e.text
    first = people[0]
    assert (first.text, first.sentence) == ("Igor Korotchenko", 0)


def test_apposition_descriptor_and_surname(nlp):
    assert ents(nlp, "Pavel Drozd, a military analyst, spoke on Monday. Drozd added little.") == [
        ("Pavel Drozd", "PERSON", "Pavel Drozd", "military analyst"),
        ("Drozd", "PERSON", "Pavel Drozd", "military analyst"),
    ]


def test_premodifier_descriptor(nlp):
    assert ents(nlp, "Retired general Oskar Wend warned of a long winter.") == [
        ("Oskar Wend", "PERSON", "Oskar Wend", "Retired general"),
    ]


def test_known_people_only_when_article_lacks_full_name(nlp):
    assert ents(nlp, "Putin met Zelensky in Geneva.") == [
        ("Putin", "PERSON", "Vladimir Putin", None),
        ("Zelensky", "PERSON", "Volodymyr Zelensky", None),
        ("Geneva", "GPE", "Geneva", None),
    ]


def test_famous_surname_tagged_org_becomes_person(nlp):
    assert ents(nlp, "Trump’s envoy arrived in Moscow on Monday.") == [
        ("Trump", "PERSON", "Donald Trump", None),
        ("Moscow", "GPE", "Moscow", None),
    ]


def test_outlet_is_an_organisation(nlp):
    labels = {e[0]: e[1] for e in ents(nlp, "Pavel Drozd, a military analyst, told the Northwind Gazette.", "Northwind Gazette")}
    assert labels == {"Pavel Drozd": "PERSON", "the Northwind Gazette": "ORG"}


def test_unknown_toponyms_become_places(nlp):
    found = ents(nlp, "Drozd added that Novoselsk had fallen. Shelling continued near Krasnoarmeysk overnight.")
    assert [(t, l) for t, l, _, _ in found if t in ("Novoselsk", "Krasnoarmeysk")] == [
        ("Novoselsk", "GPE"),
        ("Krasnoarmeysk", "GPE"),
    ]


def test_one_label_per_place_name(nlp):
    found = ents(nlp, "The strategic Vodiane village was lost. Residents of Vodiane fled. Vodiane is quiet.")
    assert [(t, l) for t, l, _, _ in found] == [("Vodiane", "GPE")] * 3


def test_surname_org_becomes_person_when_a_full_name_has_it(nlp):
    found = ents(nlp, "Igor Brand met Anna Brand. Brand said nothing.")
    assert found[1:] == [("Anna Brand", "PERSON", "Anna Brand", None), ("Brand", "PERSON", "Anna Brand", None)]


def test_canonical_people_rules():
    names = ["Donald Trump", "Eric Drozd", "Trump", "Drozd", "Mira", "Mira Oak", "Putin", "Donald J. Trump"]
    assert canonical_people(names) == {
        "Donald Trump": "Donald Trump",
        "Eric Drozd": "Eric Drozd",
        "Trump": "Donald Trump",
        "Drozd": "Eric Drozd",
        "Mira": "Mira Oak",
        "Mira Oak": "Mira Oak",
        "Putin": "Vladimir Putin",
        "Donald J. Trump": "Donald Trump",
    }


def test_clean_name_strips_titles_and_possessives():
    assert [clean_name(n) for n in ["Mr. Trump’s", "Colonel Ana Ruiz", "Drozd's", "Judge"]] == [
        "Trump",
        "Ana Ruiz",
        "Drozd",
        "Judge",
    ]


def test_resolver_prefers_compatible_subject():
    refs = [
        Referent(token=0, canonical="Irene Volk", label="PERSON", subject=True, sentence=0, gender="f"),
        Referent(token=5, canonical="Paul Ash", label="PERSON", subject=True, sentence=0, gender="m"),
        Referent(token=9, canonical="Harbor Council", label="ORG", subject=False, sentence=1),
    ]
    r = Resolver(refs)
    assert r.resolve(20, 1, "she").canonical == "Irene Volk"
    assert r.resolve(20, 1, "he").canonical == "Paul Ash"
    assert r.resolve(20, 1, "it").canonical == "Harbor Council"
    assert r.resolve(20, 9, "he") is None  # too far back
    assert r.resolve(20, 1, "you") is None


def test_build_resolver_reads_honorifics(nlp):
    doc = nlp("Mr. Paul Ash met Ms. Irene Volk on Tuesday. She left early.")
    r = build_resolver(doc, find_entities(doc))
    she = [t for t in doc if t.text == "She"][0]
    assert r.resolve(she.i, 1, "she").canonical == "Irene Volk"


def test_sentence_of(nlp):
    doc = nlp("One sentence here. Another one there.")
    assert [sentence_of(doc, i) for i in (0, 18, 19, 30)] == [0, 0, 1, 1]


def test_component_contract(nlp):
    component = load()
    art = Article(id="a", language="en", text="Mayor Elena Varga visited Odesa.", source=Source(name="Northwind Gazette"))
    out = component(Context(article=art, doc=nlp(art.text)))
    assert [(e.text, e.label, e.component) for e in out] == [("Elena Varga", "PERSON", "entities"), ("Odesa", "GPE", "entities")]
    assert component(Context(article=Article(id="b", language="fr", text="Bonjour."), doc=None)) == []


def test_place_that_begins_an_outlet_name_stays_a_place(nlp):
    """Outlet names are matched whole or by a listed short name: "Kyiv" of "Kyiv Post" and "France" of
    "France 24" are places, while "Sputnik" still names Sputnik International."""
    labels = {e[0]: e[1] for e in ents(nlp, "The delegation travelled from Kyiv to Warsaw.", "Kyiv Post")}
    assert labels == {"Kyiv": "GPE", "Warsaw": "GPE"}
    labels = {e[0]: e[1] for e in ents(nlp, "The mayor of Kyiv met officials from France on Monday.", "France 24")}
    assert labels.get("France") == "GPE"
    labels = {e[0]: e[1] for e in ents(nlp, "Pavel Drozd told Sputnik that the talks failed.")}
    assert labels.get("Sputnik") == "ORG"


@pytest.mark.parametrize("alias", sorted(json.loads((Path(__file__).resolve().parents[1] / "src" / "newsledger" / "data"
                                                      / "outlet_aliases.json").read_text("utf-8"))["aliases"]))
def test_each_outlet_alias_names_a_registered_outlet(alias):
    from newsledger.analyze.entities import _is_outlet, _outlet_aliases, _outlet_names

    assert _outlet_aliases()[alias].lower() in _outlet_names()
    assert _is_outlet(alias, None)
