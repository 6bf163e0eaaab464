import json

import pytest

from newsledger import outlets
from newsledger.schema import Source


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(outlets.ENV_VAR, raising=False)
    outlets._registry.cache_clear()
    yield
    outlets._registry.cache_clear()


def test_bundled_registry_is_versioned_and_covers_both_sides():
    assert outlets.registry_version()
    names = {o.name for o in outlets.all_outlets()}
    for n in ("RT", "Sputnik International", "TASS", "Meduza", "The Kyiv Independent", "Ukrinform", "Reuters",
              "Al Jazeera", "Xinhua", "Voice of America"):
        assert n in names
    for o in outlets.all_outlets():
        assert o.affiliation_source.startswith("https://")
        assert len(o.country) == 2 and o.country.isupper()
        assert isinstance(o.state_affiliated, bool)


def test_lookup_by_domain_url_and_subdomain():
    assert outlets.lookup("sputnikglobe.com").name == "Sputnik International"
    assert outlets.lookup("sputniknews.com").name == "Sputnik International"
    assert outlets.lookup("https://www.rt.com/news/1/").name == "RT"
    assert outlets.lookup("edition.cnn.com").name == "CNN"
    assert outlets.lookup("WWW.BBC.CO.UK").name == "BBC"
    assert outlets.lookup("northwind-gazette.example") is None
    assert outlets.lookup("") is None
    assert outlets.lookup(None) is None


def test_enrich_registry_wins_for_affiliation_page_wins_for_name_and_owner():
    src = Source(name="Sputnik International Page", domain="sputnikglobe.com", owner="Someone Else",
                 country="US", state_affiliated=False)
    outlets.enrich_source(src)
    assert src.name == "Sputnik International Page"
    assert src.owner == "Someone Else"
    assert src.country == "RU"
    assert src.state_affiliated is True
    assert src.affiliation_source == "https://en.wikipedia.org/wiki/Sputnik_(news_agency)"


def test_enrich_fills_empty_name_and_keeps_unknown_domains():
    src = outlets.enrich_source(Source(domain="world.kyivindependent.com"))
    assert (src.name, src.country, src.state_affiliated) == ("The Kyiv Independent", "UA", False)
    unknown = outlets.enrich_source(Source(name="Northwind Gazette", domain="northwind.example", owner="NW Media"))
    assert unknown == Source(name="Northwind Gazette", domain="northwind.example", owner="NW Media")


def test_user_file_merges_over_bundled(tmp_path, monkeypatch):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"version": "local1", "outlets": [
        {"domains": ["northwind.example"], "name": "Northwind Gazette", "country": "no", "state_affiliated": False,
         "affiliation_source": "https://northwind.example/about"},
        {"domains": ["rt.com"], "name": "RT (override)", "country": "RU", "state_affiliated": True,
         "affiliation_source": "https://example.org/rt"},
    ]}))
    monkeypatch.setenv(outlets.ENV_VAR, str(path))
    assert outlets.registry_version().endswith("+local1")
    assert outlets.lookup("news.northwind.example").country == "NO"
    assert outlets.lookup("rt.com").name == "RT (override)"
    assert outlets.lookup("tass.com").name == "TASS"


def test_malformed_user_file_raises_documented_error(tmp_path, monkeypatch):
    path = tmp_path / "bad.json"
    path.write_text('{"outlets": [{"domains": ["x.example"]}]}')
    monkeypatch.setenv(outlets.ENV_VAR, str(path))
    with pytest.raises(outlets.OutletRegistryError):
        outlets.lookup("x.example")


def test_registry_fills_owner_only_when_page_names_none():
    assert outlets.enrich_source(Source(domain="sputnikglobe.com")).owner == "Rossiya Segodnya"
