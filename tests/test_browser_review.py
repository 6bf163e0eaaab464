"""Analyst review and the new-user defects (issue 16) in a real headless Chromium (Debian's).

Reviews write to the database, so this module has its own server and database.
Screenshots land in test-artifacts/browser/review-*.png at 1280 px and 390 px.
"""

from __future__ import annotations

import csv
import io

import pytest

import test_browser as tb
from conftest_browser import browser, build_store, fictional_analyses  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not tb.CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")
TOKEN = "browser-test"  # the token test_browser.LiveServer starts the app with


def country_mention():
    """A fictional article naming a whole country: its centroid lies far east of every town reported."""
    from conftest_browser import LAKESHORE, span
    from newsledger.schema import Analysis, Article, Place

    text = "Officials in Russia declined to comment on the talks, a spokesman said on Tuesday."
    art = Article(id="ls-country-0009", url="https://lakeshore.example/world/no-comment", source=LAKESHORE,
                  title="No comment from officials", published="2025-12-10T09:00:00+00:00", language="en", text=text)
    place = Place("Russia", *span(text, "Russia"), name="Russia", geonames_id=2017370, feature="country",
                  country_code="RU", lat=61.5, lon=105.0, confidence=0.9)
    return Analysis(article=art, places=[place])


@pytest.fixture(scope="module")
def review_db(tmp_path_factory):
    from newsledger.store import open_store

    db = build_store(tmp_path_factory.mktemp("review") / "news.db")
    with open_store(db) as store:
        store.upsert(country_mention())
    return db


@pytest.fixture(scope="module")
def server(review_db):
    s = tb.LiveServer(review_db)
    yield s
    s.stop()


@pytest.fixture
def session(browser, server, request):
    s = tb.Session(browser, server.url, "review-" + request.node.name.removeprefix("test_"))
    yield s
    s.close()


def reingest(db, *article_ids: str) -> None:
    """What `ingest --force` does to these articles: new machine rows for the same text."""
    from newsledger.store import open_store

    with open_store(db) as store:
        for analysis in fictional_analyses(True):
            if analysis.article.id in article_ids:
                for ann in (*analysis.claims, *analysis.quotes, *analysis.places):
                    ann.confidence = round(ann.confidence * 0.9, 3)
                assert store.upsert(analysis) == "updated"


def open_item(page, list_id: str, nth: int = 0):
    page.locator(f"#{list_id} li button.linkish").nth(nth).click()
    panel = page.locator("#ann-details")
    panel.locator(".review-block").first.wait_for()
    return panel


def sign_in(page) -> None:
    if not page.locator("#reviewer").evaluate("d => d.open"):
        page.locator("#reviewer summary").click()
    page.fill("#reviewer-name", "Ana Lyst")
    page.fill("#reviewer-token", TOKEN)


def saved(page, text: str) -> None:
    page.wait_for_selector(f"#ann-details .review-saved:has-text('{text}')")


def test_confirm_reject_and_correct_then_reingest(session, review_db):
    page = session.page
    session.goto("#/article/nw-siversk-0001", "#article-claims li")

    # A claim: corrected type.
    panel = open_item(page, "article-claims")
    panel.locator(".review-correct").click()
    sign_in(page)
    panel.locator("input[id$='-type']").fill("ASSAULT")
    panel.locator("input[id$='-note']").fill("an attack, not a capture")
    panel.locator("button[id$='-save']").click()
    saved(page, "claim corrected")
    assert "ASSAULT" in page.locator("#article-claims").inner_text()
    assert page.locator("#article-claims .review-badge").inner_text() == "corrected"
    assert "TAKE_CONTROL → ASSAULT" in page.locator("#ann-details .review-status").inner_text()
    session.shoot("1-claim")

    # A quote: another speaker.
    panel = open_item(page, "article-quotes", 1)
    panel.locator(".review-correct").click()
    panel.locator("input[id$='-speaker']").fill("Irina Vetrova")
    panel.locator("button[id$='-save']").click()
    saved(page, "quote corrected")
    assert "Irina Vetrova" in page.locator("#article-quotes").inner_text()

    # A place: another GeoNames entry, picked from the gazetteer's candidates.
    panel = open_item(page, "article-places")
    panel.locator(".review-correct").click()
    panel.locator("input[id$='-place-name']").fill("Siversk")
    panel.locator("button[id$='-place-find']").click()
    choice = panel.locator("select[id$='-place-choice']")
    # The first lookup may build the gazetteer index (after an upgrade): allow it the time.
    page.wait_for_function("(el) => [...el.options].some((o) => o.value === '694403')", arg=choice.element_handle(),
                           timeout=120_000)
    choice.select_option("694403")
    panel.locator("button[id$='-save']").click()
    saved(page, "place corrected")
    assert "GeoNames" in page.locator("#ann-details").inner_text() and "694403" in page.locator("#ann-details").inner_text()
    session.shoot("2-place")

    # Another article: reject its claim (hidden by default, shown struck through on demand), confirm its quote.
    session.goto("#/article/hl-siversk-0002", "#article-claims li")
    panel = open_item(page, "article-claims")
    panel.locator(".review-reject").click()
    saved(page, "claim rejected")
    assert page.locator("#article-claims li:visible").count() == 0
    page.locator("#show-rejected").check()
    assert page.locator("#article-claims li.is-rejected:visible").count() == 1
    panel = open_item(page, "article-quotes")
    panel.locator(".review-confirm").click()
    saved(page, "quote confirmed")
    page.select_option("#review-filter", "unreviewed")
    assert page.locator("#article-quotes li:visible").count() == 0

    # Re-analysis replaces every row; the reviews come back on the new ones.
    reingest(review_db, "nw-siversk-0001", "hl-siversk-0002")
    session.goto("#/article/nw-siversk-0001", "#article-claims li")
    assert "ASSAULT" in page.locator("#article-claims").inner_text()
    assert "Irina Vetrova" in page.locator("#article-quotes").inner_text()
    api = page.request.get(f"{session.base}/api/articles/nw-siversk-0001").json()
    assert [p["geonames_id"] for p in api["places"]][0] == 694403
    assert api["places"][0]["review"]["verdict"] == "corrected"
    assert api["claims"][0]["review"]["note"] == "an attack, not a capture"

    session.goto("#/compare?place=Siversk", ".outlet-card")
    card = page.locator('.outlet-card[data-source="northwind.example"]')
    assert "ASSAULT" in card.inner_text() and "TAKE_CONTROL" not in card.inner_text()

    claims_csv = page.request.get(f"{session.base}/api/claims?format=csv").text()
    rows = list(csv.DictReader(io.StringIO(claims_csv)))
    north = next(r for r in rows if r["article_id"] == "nw-siversk-0001")
    assert north["type"] == "ASSAULT" and '"corrected"' in north["review"]
    rejected = next(r for r in rows if r["article_id"] == "hl-siversk-0002")
    assert '"rejected"' in rejected["review"]
    reviews = page.request.get(f"{session.base}/api/reviews?format=jsonl").text().splitlines()
    assert len(reviews) == 5

    session.goto("#/quality", "#quality-components")
    claims_row = page.locator("#quality-components tbody tr", has_text="Claims")
    assert claims_row.locator("td").all_inner_texts()[:5] == ["4", "2", "0", "1", "1"]
    assert page.locator("#review-queue li").count() > 0
    session.shoot("3-quality")

    session.goto("#/quotes?speaker=Irina%20Vetrova", ".quote-card")
    assert page.locator(".quote-card .review-badge").inner_text() == "corrected"
    page.select_option("#quotes-reviewed", "false")
    page.wait_for_selector("#quotes-heading:has-text('Irina Vetrova: 0 quotes')")
    session.assert_clean()


def test_review_needs_the_token(session):
    page = session.page
    session.goto("#/article/ls-geneva-0003", "#article-claims li")
    page.evaluate("sessionStorage.clear()")
    panel = open_item(page, "article-claims")
    if page.locator("#reviewer").evaluate("d => d.open"):
        page.fill("#reviewer-token", "")
    panel.locator(".review-confirm").click()
    assert "write token" in panel.locator(".review-block .error").inner_text()
    sign_in(page)
    page.fill("#reviewer-token", "wrong")
    panel.locator(".review-confirm").click()
    page.wait_for_selector("#ann-details .review-block .error:has-text('not saved')")
    session.assert_clean()


# ------------------------------------------------------------------ defects a new user met


def test_annotation_panel_opens_on_screen_at_390(session):
    page = session.page
    page.set_viewport_size({"width": 390, "height": 844})
    session.goto("#/article/nw-siversk-0001", "#article-text .ann-quote")
    page.locator("#article-text .ann-quote").first.click()
    box = page.locator("#ann-details").bounding_box()
    assert box["y"] >= 0 and box["y"] < 844 and box["y"] + box["height"] <= 845, box
    assert "Pavel Dronov" in page.locator("#ann-details").inner_text()
    page.wait_for_timeout(150)
    page.screenshot(path=str(tb.ARTIFACTS / "review-panel-390.png"))
    page.locator("#ann-details .ann-close").click()
    assert page.locator("#ann-details").evaluate("el => !el.classList.contains('open')")
    session.assert_clean()


def test_timeline_labels_sit_under_their_bars_and_colours_stay(session):
    page = session.page

    def bars_and_labels():
        return page.evaluate("""() => {
          const rects = [...document.querySelectorAll('.timeline rect')].map((r) => ({
            day: r.dataset.day, outlet: r.dataset.outlet, fill: r.getAttribute('fill'),
            x: +r.getAttribute('x'), w: +r.getAttribute('width') }));
          const labels = [...document.querySelectorAll('.timeline .tick-date')].map((t) => {
            const b = t.getBBox(); return { day: t.dataset.day, x0: b.x, x1: b.x + b.width }; });
          return { rects, labels };
        }""")

    session.goto("#/search?q=Siversk", ".timeline rect")
    first = bars_and_labels()
    assert len(first["labels"]) == 2
    for label in first["labels"]:
        bar = next(r for r in first["rects"] if r["day"] == label["day"])
        assert label["x0"] <= bar["x"] + bar["w"] and label["x1"] >= bar["x"], (label, bar)
    north = {r["fill"] for r in first["rects"] if r["outlet"] == "northwind.example"}

    session.goto("#/search?q=Geneva%20OR%20Siversk%20OR%20Genf", ".timeline rect")
    second = bars_and_labels()
    assert [r["outlet"] for r in second["rects"]][0] != "northwind.example"
    assert {r["fill"] for r in second["rects"] if r["outlet"] == "northwind.example"} == north
    session.assert_clean()


def test_nav_follows_where_the_reader_came_from(session):
    page = session.page
    session.goto("#/search?q=Liberation", ".result h3 a")
    page.locator(".result h3 a").first.click()
    page.wait_for_selector("#article-claims a.prov-link")
    assert page.locator(".nav a[aria-current=page]").inner_text() == "Search"
    page.locator("#article-claims a.prov-link").first.click()
    page.wait_for_selector("#prov-graph")
    assert page.locator(".nav a[aria-current=page]").inner_text() == "Search"
    session.assert_clean()


def test_map_has_no_antimeridian_bands_and_a_size_legend(session):
    page = session.page
    session.goto("#/map", "path.nl-marker")
    jump = page.evaluate("""async () => {
      const geo = await import('/static/js/geo.js');
      const topo = await (await fetch('/static/vendor/world-atlas/countries-50m.json')).json();
      const raw = window.topojson.feature(topo, topo.objects.countries);
      return [geo.largestJump(raw), geo.largestJump(geo.splitAntimeridian(raw))];
    }""")
    assert jump[0] > 300 and jump[1] < 180, jump
    legend = page.locator("#map-legend")
    assert legend.is_visible() and "Mentions" in legend.inner_text()
    assert page.locator("#map-legend circle").count() >= 2
    # The opening view frames the places: Siversk and Geneva sit well apart on screen.
    xy = page.evaluate("""() => [...document.querySelectorAll('path.nl-marker')].map((p) => {
      const b = p.getBoundingClientRect(); return [b.x + b.width / 2, b.width, p.dataset.place]; })""")
    towns = [x for x, w, place in xy if place != "Russia" and w > 0]
    assert max(towns) - min(towns) > 300, xy
    # A country's centroid does not set the extent: Russia's (at 105° E) lies off to the east.
    box = page.locator("#claims-map").bounding_box()
    x, width = next((x, w) for x, w, place in xy if place == "Russia")
    assert width == 0 or x > box["x"] + box["width"], (x, width, box)  # Leaflet leaves paths out of view undrawn
    session.shoot("map")
    session.assert_clean()
