"""The dashboard in a real headless Chromium (Debian's), against a live uvicorn server.

Screenshots of every step land in test-artifacts/browser/ at 1280 px and 390 px.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest_browser import CHROMIUM, INJECTED, PAYLOADS, SENTINEL, browser, build_store  # noqa: F401 (fixture)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
WIDTHS = (1280, 390)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")


class LiveServer:
    """uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, db: Path):
        import uvicorn

        from newsledger.api.app import create_app

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(db, token="browser-test"), log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="module")
def fictional_server(tmp_path_factory):
    server = LiveServer(build_store(tmp_path_factory.mktemp("browser") / "news.db"))
    yield server
    server.stop()


class Session:
    """A page plus everything the tests watch: dialogs, outside requests, console errors."""

    def __init__(self, browser, base: str, flow: str):
        self.base = base
        self.flow = flow
        self.context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != urlsplit(self.base).netloc:
            self.outside.append(request.url)

    def goto(self, hash_route: str, ready: str) -> None:
        """Open a route and wait until its view (not the previous one) has rendered."""
        if self.page.url.startswith(self.base):
            self.page.evaluate("delete document.getElementById('main').dataset.ready")
        self.page.goto(f"{self.base}/{hash_route}")
        self.page.wait_for_selector(f"main[data-ready] {ready}")

    def shoot(self, step: str) -> None:
        """Screenshot at each width; the page is left at the first width."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.wait_for_timeout(150)
            self.page.screenshot(path=str(ARTIFACTS / f"{self.flow}-{step}-{width}.png"), full_page=True)
            overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{step}: page scrolls sideways at {width}px ({overflow}px)"
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.page.evaluate(f"typeof window.{SENTINEL}") == "undefined"
        assert self.outside == [], self.outside
        csp = [e for e in self.console_errors if "Content Security Policy" in e or "pageerror" in e]
        assert csp == [], csp

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, fictional_server, request):
    s = Session(browser, fictional_server.url, request.node.name.removeprefix("test_"))
    yield s
    s.close()


# ------------------------------------------------------------------ fictional data


def test_search_to_article_map_and_compare(session):
    page = session.page
    session.goto("#/search", "#search-q")
    page.fill("#search-q", "Seversk")
    page.press("#search-q", "Enter")
    # The same town spelt the other way is found too, and the page says so.
    page.wait_for_selector("#result-count:has-text('2 articles')")
    assert "Siversk" in page.locator("#search-expanded").inner_text()
    titles = page.locator(".result h3 a").all_inner_texts()
    assert sorted(titles) == ["Liberation of Seversk marks a turning point", "Troops withdraw from Siversk"]
    assert {m for m in page.locator(".result .snippet mark").all_inner_texts()} <= {"Seversk", "Siversk"}
    assert page.locator(".timeline rect").count() == 2
    session.shoot("1-search")
    first = page.locator(".result h3 a", has_text="Liberation of Seversk")

    first.click()
    page.wait_for_selector("#article-text .ann-quote")
    quotes = page.locator("#article-text .ann-quote")
    quoted = "".join(quotes.all_inner_texts())
    assert "The fall of Seversk opens the road to Kramatorsk," in quoted
    assert "the operation in Donbass was proceeding according to plan" in quoted
    assert page.locator("#article-quotes li").count() == 2
    assert page.locator("#article-quotes .speaker").first.inner_text() == "Pavel Dronov"
    quotes.first.click()
    details = page.locator("#ann-details")
    assert "Pavel Dronov" in details.inner_text()
    assert "0.95" in details.inner_text() and "quotes" in details.inner_text()
    page.locator("#article-text .ann-framing").first.click()
    assert "liberation" in details.inner_text() and "capture" in details.inner_text()
    session.shoot("2-article")

    session.goto("#/map", "path.nl-marker")
    marker = page.locator('path.nl-marker[data-place="Siversk, Ukraine"]')
    assert marker.count() == 1
    assert page.locator("#place-list li").first.inner_text() == "Siversk, Ukraine — 3"
    page.locator("#place-list button").first.click()
    page.wait_for_selector(".leaflet-popup-content:has-text('Siversk, Ukraine')")
    assert "TAKE_CONTROL: 1 asserted" in page.locator(".leaflet-popup-content").inner_text()
    assert page.locator("path.leaflet-interactive").count() >= 3 and page.locator("svg path").count() > 100
    session.shoot("3-map")
    # Back to the first day: only Geneva had been mentioned yet.
    slider = page.locator("#map-day")
    slider.focus()
    page.keyboard.press("Home")
    assert page.locator("#map-day-label").inner_text() == "up to 2025-12-08"
    assert page.locator("path.nl-marker").count() == 1
    assert page.locator("#place-list li").all_inner_texts() == ["Geneva, Switzerland — 1"]

    session.goto("#/compare?place=Siversk", ".outlet-card")
    state_col = page.locator(".compare-col").first
    card = state_col.locator('.outlet-card[data-source="northwind.example"]')
    assert card.locator("h3").inner_text() == "Northwind Gazette"
    assert "liberation" in card.locator(".terms").inner_text()
    other = page.locator(".compare-col").nth(1).locator('.outlet-card[data-source="harbor-ledger.example"]')
    assert "occupation" in other.inner_text() and "“occupied”" in other.inner_text()
    session.shoot("4-compare")
    session.assert_clean()


def test_facets_quotes_sources_and_docs(session):
    page = session.page
    session.goto("#/search", "#result-count")
    assert page.locator("#result-count").inner_text() == "5 articles · newest first"
    page.locator(".facet", has_text="de").click()
    page.wait_for_selector("#result-count:has-text('1 article')")
    assert page.locator(".result h3").inner_text() == "Gespräche in Genf fortgesetzt"
    assert page.locator(".facet[aria-pressed=true]").count() == 1
    session.shoot("1-facet")

    session.goto("#/quotes?speaker=Pavel%20Dronov", ".quote-card")
    assert page.locator(".quote-card").count() == 3
    assert page.locator("#quotes-heading").inner_text() == "Pavel Dronov: 3 quotes"
    assert "Northwind Gazette: 2 · Lakeshore Daily: 1" in page.locator(".speaker-list").inner_text()
    session.shoot("2-quotes")

    session.goto("#/sources", "table.sources tbody tr")
    assert page.locator("table.sources tbody tr").count() == 4
    session.shoot("3-sources")

    page.goto(f"{session.base}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "newsledger" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-summary-path:has-text('/api/compare')")
    session.shoot("4-docs")
    session.assert_clean()


def test_bad_search_shows_the_error(session):
    page = session.page
    session.goto("#/search?q=%22unterminated", ".error")
    assert "invalid search query" in page.locator(".error").first.inner_text()
    session.assert_clean()


def test_keyboard_only(session):
    page = session.page
    session.goto("#/article/nw-siversk-0001", "#article-text .ann")
    # Tab from the top of the page until a highlighted quote has focus.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('ann-quote')"):
            break
    else:
        pytest.fail("no quote span reachable by Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    page.keyboard.press("Enter")
    assert "Pavel Dronov" in page.locator("#ann-details").inner_text()
    # Layers toggle from the keyboard too.
    page.locator("#layer-quotes").focus()
    page.keyboard.press("Space")
    assert page.locator("#article-text .ann-quote").count() == 0
    session.shoot("1-keyboard")
    session.assert_clean()


# ------------------------------------------------------------------ hostile content


HOSTILE_VIEWS = [
    ("search", "#/search", ".result"),
    ("search-q", "#/search?q=Hostile", ".result"),
    ("article", "#/article/evil-0005", "#article-text"),
    ("quotes", f"#/quotes?speaker={PAYLOADS[1]}", ".quote-card"),
    ("sources", "#/sources", "table.sources"),
    ("compare", "#/compare?place=Kharkiv", ".outlet-card"),
    ("map", "#/map", "path.nl-marker"),
]


def test_hostile_content_renders_inert(session):
    page = session.page
    for name, route, ready in HOSTILE_VIEWS:
        session.goto(route, ready)
        if name == "article":
            for span in page.locator("#article-text .ann").all()[:6]:
                span.click()
            assert PAYLOADS[1] in page.locator("#ann-details").inner_text()
            assert page.locator("#article-title").inner_text().startswith(PAYLOADS[0])
        if name == "map":
            page.locator("#place-list button", has_text="Kharkiv").click()
            page.wait_for_selector(".leaflet-popup-content")
            assert PAYLOADS[2] in page.locator(".leaflet-popup-content").inner_text()
        text = page.locator("main").inner_text()
        assert any(p in text for p in PAYLOADS), f"{name}: payload not shown as text"
        assert page.evaluate(INJECTED) == 0, name
        session.shoot(f"hostile-{name}")
    page.wait_for_timeout(300)  # give any stray handler a chance to fire
    session.assert_clean()


# ------------------------------------------------------------------ the seed through the real pipeline


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory, seed_path):
    from newsledger.run import PipelineError, ingest
    from newsledger.store import open_store

    db = tmp_path_factory.mktemp("seed") / "seed.db"
    try:
        with open_store(db) as store:
            summary = ingest([str(seed_path)], store)
    except (PipelineError, ImportError) as e:
        pytest.skip(f"pipeline not available: {e}")
    if summary.new != 1:
        pytest.skip(f"seed not stored: {summary.to_dict()}")
    server = LiveServer(db)
    yield server
    server.stop()


def test_seed_flow(browser, seed_server):
    s = Session(browser, seed_server.url, "seed")
    try:
        page = s.page
        s.goto("#/search", "#search-q")
        page.fill("#search-q", "Seversk")
        page.press("#search-q", "Enter")
        page.wait_for_selector("#result-count:has-text('1 article')")
        assert "Seversk" in page.locator(".result h3 a").inner_text()
        s.shoot("1-search")

        page.locator(".result h3 a").click()
        page.wait_for_selector("#article-text .ann-quote")
        speakers = page.locator("#article-quotes .speaker").all_inner_texts()
        assert any(re.search(r"Korotchenko", sp) for sp in speakers), speakers
        korot = page.locator("#article-quotes li", has_text="Korotchenko").first
        korot.locator("button").click()
        assert "Korotchenko" in page.locator("#ann-details").inner_text()
        assert page.evaluate("document.activeElement.classList.contains('ann-quote')")
        s.shoot("2-article")

        s.goto("#/map", "path.nl-marker")
        assert page.locator('path.nl-marker[data-place="Siversk, Ukraine"]').count() == 1
        s.shoot("3-map")

        s.goto("#/compare?place=Siversk", ".outlet-card")
        card = page.locator(".outlet-card", has_text="Sputnik International")
        assert card.count() == 1
        assert "liberation" in card.locator(".terms").inner_text()
        assert card.locator('.claim-count[data-type="TAKE_CONTROL"]').inner_text().startswith("TAKE_CONTROL: ")
        assert "asserted" in card.locator(".claim-counts").inner_text()
        s.shoot("4-compare")
        s.assert_clean()
    finally:
        s.close()
