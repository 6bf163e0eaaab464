import json
from types import SimpleNamespace

import pytest

from newsledger.analyze import framing as fr
from newsledger.schema import Article


def run(text, paths=()):
    return [(f.term, f.text, f.start, f.end, f.category) for f in fr.find_framing(text, fr.lexicon(tuple(paths)))]


def test_liberation_inflections_are_capture():
    assert run("They liberated Avdeyevka and will liberate more; the liberation goes on.") == [
        ("liberation", "liberated", 5, 14, "capture"),
        ("liberation", "liberate", 34, 42, "capture"),
        ("liberation", "liberation", 53, 63, "capture"),
    ]


def test_special_military_operation_with_curly_possessive():
    assert run("the special military operation’s tasks") == [
        ("special military operation", "special military operation", 4, 30, "war-name"),
    ]


def test_special_military_operation_across_line_break():
    assert run("the special\nmilitary operation") == [
        ("special military operation", "special\nmilitary operation", 4, 30, "war-name"),
    ]


def test_kiev_but_not_kyiv_kievan_or_the_dish():
    assert run("Kiev and Kyiv; Kievan Rus; chicken Kiev; KIEV’s") == [
        ("Kiev", "Kiev", 0, 4, "place-spelling"),
        ("Kiev", "KIEV", 41, 45, "place-spelling"),
    ]


def test_kiev_regime_nests_a_spelling_match():
    assert run("the Kiev regime said") == [
        ("Kiev regime", "Kiev regime", 4, 15, "delegitimising"),
        ("Kiev", "Kiev", 4, 8, "place-spelling"),
    ]


def test_donbass_not_donbas():
    assert run("Donbas, Donbass") == [("Donbass", "Donbass", 8, 15, "place-spelling")]


def test_russian_side_labels():
    assert [t for t, *_ in run("neo-Nazis and Banderites backed by the collective West; denazification of the Russian world")] == [
        "neo-Nazis", "Banderites", "collective West", "denazification", "Russian world"]


def test_ukrainian_side_labels():
    assert [t for t, *_ in run("The occupiers and orcs, ruscists and rashists, in the temporarily occupied territories")] == [
        "occupiers", "orcs", "ruscists", "ruscists", "occupied territories"]


def test_war_names_and_referendum():
    assert [(t, x) for t, x, *_ in run("the full-scale invasion, a war of aggression, a so-called referendum, a puppet regime")] == [
        ("full-scale invasion", "full-scale invasion"),
        ("war of aggression", "war of aggression"),
        ("so-called referendum", "so-called referendum"),
        ("puppet", "puppet regime"),
    ]


def test_same_category_overlap_keeps_longest_and_racism_is_not_rashism():
    assert run("a terrorist state, not racism") == [
        ("terrorist state", "terrorist state", 2, 17, "delegitimising")]


def test_terrorists_low_confidence_and_neutral_given():
    (f,) = fr.find_framing("Ukrainian terrorists", fr.lexicon())
    assert (f.term, f.neutral, f.confidence) == ("terrorists", "combatants; armed forces", 0.5)


def test_hyphen_prefix_blocks_match():
    assert run("an anti-occupiers rally") == []


def test_user_lexicon_adds_and_overrides(tmp_path):
    p = tmp_path / "extra.json"
    p.write_text(json.dumps({"entries": [
        {"term": "meat grinder", "patterns": ["meat\\s*grinders?"], "category": "casualty-imagery",
         "neutral": "costly assault", "used_by": "both sides"},
        {"term": "Kiev", "patterns": ["Kiev", "Kyiv"], "category": "place-spelling", "neutral": "Kyiv"},
    ]}))
    assert run("a meatgrinder near Kyiv", [str(p)]) == [
        ("meat grinder", "meatgrinder", 2, 13, "casualty-imagery"),
        ("Kiev", "Kyiv", 19, 23, "place-spelling"),
    ]


def test_env_var_feeds_the_component(tmp_path, monkeypatch):
    p = tmp_path / "extra.json"
    p.write_text(json.dumps([{"term": "proxy war", "category": "war-name"}]))
    monkeypatch.setenv(fr.ENV_VAR, str(p))
    comp = fr.load()
    out = comp(SimpleNamespace(article=Article(id="x", text="A proxy war in Kiev.")))
    assert [(f.term, f.start) for f in out] == [("proxy war", 2), ("Kiev", 15)]


def test_bad_user_file_raises_documented_error(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps([{"term": "x", "category": "y", "patterns": ["("]}]))
    with pytest.raises(fr.FramingLexiconError):
        fr.lexicon((str(p),))
