"""The GeoNames index: names, spellings, scripts and the sourced supplement."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from newsledger.analyze.gazetteer import _alias_ok, _centre, get_gazetteer, haversine_km, normalize


@pytest.fixture(scope="module")
def gaz():
    return get_gazetteer()


def ids(gaz, name):
    return [c.id for c in gaz.lookup(name)]


def test_normalize_folds_case_accents_apostrophes_and_dots():
    assert normalize("Sivers’k") == normalize("SIVERS'K") == "sivers'k"
    assert normalize("Kraków") == "krakow"
    assert normalize("Ivano-Frankivsk") == "ivano frankivsk"
    assert normalize("U.S.") == "us"
    assert normalize("  Washington,   D.C. ") == "washington dc"


def test_alias_filter_drops_codes_and_lowercase_romanisations():
    assert _alias_ok("Kiev")
    assert _alias_ok("Северск")
    assert not _alias_ok("IEV")  # airport code
    assert not _alias_ok("kiu")  # lowercase romanisation
    assert not _alias_ok("キーウ")  # script the analysed news does not use
    assert not _alias_ok("Ko")


def test_region_centre_is_trimmed_bounding_box_midpoint():
    lat, lon = _centre([0.0] * 10 + [10.0] * 10 + [80.0], [float(i) for i in range(21)])
    assert (lat, lon) == (40.0, 10.0)  # too few points to trim: the plain box middle
    lat, lon = _centre([1.0] * 99 + [50.0], [2.0] * 100)
    assert (lat, lon) == (1.0, 2.0)  # the single outlier of 100 is trimmed


@pytest.mark.parametrize("name,gid", [
    ("Seversk", 694403), ("Siversk", 694403), ("Kiev", 703448), ("Kyiv", 703448), ("Kharkov", 706483),
    ("Kharkiv", 706483), ("Artemovsk", 713174), ("Bakhmut", 713174), ("Severodonetsk", 691999),
    ("Sievierodonetsk", 691999), ("Sieverodonetsk", 691999), ("Nikolaev", 700569), ("Mykolaiv", 700569),
    ("Zaporozhye", 687700), ("Zaporizhzhia", 687700), ("Odessa", 698740), ("Odesa", 698740), ("Lugansk", 702658),
    ("Luhansk", 702658), ("Dnepropetrovsk", 709930), ("Dnipro", 709930), ("Северск", 694403), ("Київ", 703448),
    ("Киев", 703448), ("Донецк", 709717),
])
def test_news_spellings_reach_the_geonames_feature(gaz, name, gid):
    assert gid in ids(gaz, name)


def test_candidates_carry_iso_admin1_and_alias_flag(gaz):
    siv = next(c for c in gaz.lookup("Seversk") if c.id == 694403)
    assert (siv.name, siv.feature, siv.country_code, siv.admin1, siv.alias) == ("Siversk", "city", "UA", "UA-14", True)
    ru = gaz.lookup("Seversk")[0]
    assert (ru.id, ru.country_code, ru.alias) == (1538637, "RU", False)
    assert gaz.get(703448).name == "Kyiv"
    assert gaz.get(703448).admin1 == "UA-30"


def test_regions_countries_and_supplement(gaz):
    assert (gaz.region("UA-14").id, gaz.region("UA-14").name) == (709716, "Donetsk Oblast")
    assert 709716 in ids(gaz, "Donetsk Oblast")
    assert 703883 in ids(gaz, "Crimea")
    donbas = gaz.lookup("Donbass")[0]
    assert (donbas.name, donbas.feature, donbas.country_code, donbas.geonames_id) == ("Donbas", "region", "UA", None)
    assert haversine_km(donbas.lat, donbas.lon, 48.0, 38.0) < 1
    assert gaz.country("ua").name == "Ukraine"
    assert gaz.country_of("the United States") == "US"
    assert gaz.country_of("U.S.") == "US"
    assert gaz.country_of("Britain") == "GB"
    assert gaz.country_of("Georgia") == "GE"
    assert gaz.country_of("Paris") is None


def test_every_supplement_entry_cites_a_source():
    sup = json.loads(resources.files("newsledger.data").joinpath("regions_supplement.json").read_text("utf-8"))
    entries = sup["features"] + sup["aliases"]
    assert len(entries) > 40
    assert all(e["source"].startswith("https://") for e in entries)
    assert all(e["id"] < 0 for e in sup["features"])  # never collide with GeoNames ids


def test_haversine():
    assert round(haversine_km(48.8566, 2.3522, 51.5074, -0.1278)) == 344  # Paris to London
    assert haversine_km(10, 10, 10, 10) == 0


def _country_points():
    raw = resources.files("newsledger.data").joinpath("country_points.json").read_text("utf-8")
    return json.loads(raw)["countries"]


@pytest.mark.parametrize("iso", sorted(_country_points()))
def test_country_points_follow_geonames(iso):
    """Countries listed in data/country_points.json sit at GeoNames' point, not countryinfo's centroid."""
    from newsledger.analyze.gazetteer import get_gazetteer

    c = get_gazetteer().country(iso)
    want = _country_points()[iso]
    assert (c.lat, c.lon) == (round(want["lat"], 5), round(want["lon"], 5))
    assert want["source"].endswith(f"/{c.geonames_id}")


@pytest.mark.parametrize("name,iso", [("Kursk Oblast", "RU-KRS"), ("Belgorod Oblast", "RU-BEL"),
                                      ("Bryansk Oblast", "RU-BRY"), ("Krasnodar Krai", "RU-KDA")])
def test_russian_regions_have_their_english_names(name, iso):
    from newsledger.analyze.gazetteer import get_gazetteer

    assert any(c.admin1 == iso and c.feature == "region" for c in get_gazetteer().lookup(name))


def test_curated_alias_is_marked():
    from newsledger.analyze.gazetteer import get_gazetteer

    bakhmut = next(c for c in get_gazetteer().lookup("Artemovsk") if c.id == 713174)
    assert bakhmut.alias and bakhmut.curated
