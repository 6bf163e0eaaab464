"""Story and provenance views in a real headless Chromium (Debian's), against a live uvicorn server.

Screenshots land in test-artifacts/browser/stories-*.png at 1280 px and 390 px.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import test_browser as tb
from conftest_browser import INJECTED, PAYLOADS, browser, fictional_analyses, hostile, span  # noqa: F401 (fixture)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kyiv-ledger-siversk-holds.html"

pytestmark = pytest.mark.skipif(not tb.CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")


def _session(browser, server, flow: str) -> tb.Session:
    return tb.Session(browser, server.url, flow)


def _tab_to(page, selector: str, limit: int = 80) -> None:
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return
    pytest.fail(f"{selector} not reachable by Tab")


# ------------------------------------------------------------------ the seed and a rival outlet, through the pipeline


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory, seed_path):
    from newsledger.run import PipelineError, ingest
    from newsledger.store import open_store

    db = tmp_path_factory.mktemp("stories-seed") / "seed.db"
    try:
        with open_store(db) as store:
            summary = ingest([str(seed_path), str(EXAMPLE)], store)
    except (PipelineError, ImportError) as e:
        pytest.skip(f"pipeline not available: {e}")
    assert summary.new == 2, summary.to_dict()
    server = tb.LiveServer(db)
    yield server
    server.stop()


def test_story_contradiction_and_claim_provenance(browser, seed_server):
    s = _session(browser, seed_server, "stories-seed")
    try:
        page = s.page
        s.goto("#/stories", ".story-item")
        assert page.locator(".nav a[aria-current=page]").inner_text() == "Stories"
        item = page.locator(".story-item", has_text="Kyiv Ledger").filter(has_text="Sputnik International")
        item.wait_for()
        assert item.locator(".story-size").inner_text() == "2"
        assert item.locator(".story-indep").inner_text() == "2"
        assert item.locator(".story-outlets").inner_text() == "2 Sputnik International, Kyiv Ledger"
        s.shoot("1-list")

        # Keyboard: Tab to the story and open it with Enter.
        _tab_to(page, ".story-item a.story-link")
        page.keyboard.press("Enter")
        page.wait_for_selector("#contradictions .contradiction .contra-sentence")
        assert page.evaluate("document.activeElement.id") == "story-title"
        assert "2 articles · 2 outlets · 2 independent" in page.locator("#story-meta").inner_text()
        assert page.locator("#coverage .cov-dot").count() == 2
        assert page.locator("#coverage .cov-copy").count() == 0
        assert sorted(page.locator("#coverage .cov-outlet").all_text_contents()) == ["Kyiv Ledger", "Sputnik International"]

        pair = page.locator("#contradictions .contradiction").first
        sides = {pair.locator(".contra-a .contra-outlet").inner_text(), pair.locator(".contra-b .contra-outlet").inner_text()}
        assert sides == {"Sputnik International", "Kyiv Ledger"}
        kyiv = pair.locator(".contra-side", has_text="Kyiv Ledger")
        assert "continue to hold Siversk" in kyiv.locator(".contra-sentence").inner_text()
        assert pair.locator(".contra-side", has_text="Sputnik International").locator(".contra-sentence").inner_text()
        assert page.locator("#contradictions .contradiction .badge-modality").count() >= 2
        assert page.locator(".claim-group .badge-modality").count() == page.locator(".claim-group").count()
        assert page.locator(".claim-group .modality-denied").count() >= 1
        # Actors taken from the outlet's country (not the sentence) are marked, the basis in the tooltip.
        mark = page.locator(".claim-group .badge-inferred").first
        assert mark.inner_text() == "inferred" and "outlet country" in mark.get_attribute("title")
        denial = page.locator(".claim-group", has=page.locator(".modality-denied")).first
        assert "Andrii Kovalenko (denies)" in denial.inner_text()
        group = page.locator(".claim-group", has=page.locator(".claim-type", has_text="TAKE_CONTROL")).first
        assert group.locator(".first-seen").inner_text().startswith("Sputnik International, 2025-12-12 11:00 UTC")
        s.shoot("2-story")

        group.locator("a.prov-link").click()
        page.wait_for_selector("#prov-graph .node-first")
        assert page.locator("#prov-title").inner_text() == "Claim provenance: TAKE_CONTROL"
        assert page.locator("#prov-first").inner_text().startswith("Sputnik International")
        assert page.locator("#prov-graph .node-first").count() == 1
        assert page.locator("#prov-graph .node-first title").text_content().startswith("Sputnik International, ")
        # The Kyiv Ledger relays "Russian claims that the town has been captured": a report, not a repeat.
        assert page.locator("#prov-graph .edge-reports").count() == 1
        assert page.locator("#prov-graph .edge-repeats").count() == 0
        assert page.locator("#prov-graph .edge-attributes").count() >= 2
        assert "Kyiv Ledger" in page.locator("#prov-contradictions").inner_text()
        # The Kyiv Ledger denial answers the capture: a rebuttal arc and list, never a repeat.
        assert page.locator("#prov-graph .edge-rebuts").count() >= 1
        assert "Kyiv Ledger" in page.locator("#prov-rebuttals").inner_text()
        assert page.locator("#prov-rebuttals .modality-denied").count() >= 1
        s.shoot("3-claim")

        # The denial's own page: its deniers, and a rebuttal arc to the capture claims it answers.
        s.goto("#/stories", ".story-item")
        page.locator(".story-link").first.click()
        page.wait_for_selector("#claim-groups")
        page.locator(".claim-group", has=page.locator(".modality-denied")).first.locator("a.prov-link").click()
        page.wait_for_selector("#prov-graph")
        assert "Andrii Kovalenko" in page.locator("#prov-deniers").inner_text()
        assert page.locator("#prov-graph .edge-rebuts").count() >= 1
        assert "Sputnik International" in page.locator("#prov-rebuttals").inner_text()

        # From the article reader: a claim row leads to the same kind of page.
        s.goto("#/stories", ".story-item")
        page.locator(".story-link").first.click()
        page.wait_for_selector("#story-articles")
        page.locator("#story-articles a", has_text="Ukrainian forces continue to hold Siversk").click()
        page.wait_for_selector("#article-claims a.prov-link")
        page.locator("#article-claims a.prov-link").first.click()
        page.wait_for_selector("#prov-graph")
        assert page.locator("#prov-title").inner_text().startswith("Claim provenance: ")
        assert "Kyiv Ledger" in page.locator("#prov-facts").inner_text()

        s.goto("#/stories", ".story-item")
        page.locator(".story-link").first.click()
        page.wait_for_selector("#story-quotes a.prov-link")
        page.locator("#story-quotes a.prov-link").first.click()
        page.wait_for_selector("#prov-uses")
        assert page.locator("#prov-title").inner_text() == "Quote provenance"
        assert page.locator("#prov-graph .node-first").count() == 1
        s.shoot("4-quote")
        s.assert_clean()
    finally:
        s.close()


def test_story_list_flags_contradictions_and_coverage_runs_in_time_order(browser, seed_server):
    s = _session(browser, seed_server, "stories-order")
    try:
        page = s.page
        s.goto("#/stories", ".story-item")
        item = page.locator(".story-item", has_text="Kyiv Ledger").filter(has_text="Sputnik International")
        item.wait_for()
        story_id = item.get_attribute("data-story")
        detail = page.request.get(f"{s.base}/api/stories/{story_id}").json()
        n = len(detail["contradictions"])
        assert n >= 1
        item.locator(".story-contra").wait_for()
        assert item.locator(".story-contradictions").inner_text() == f"⚠ {n} contradiction{'' if n == 1 else 's'}"

        item.locator("a.story-link").click()
        page.wait_for_selector("#coverage .cov-outlet")
        names = {a["outlet"]: a.get("outlet_name") or a["outlet"] for a in detail["articles"]}
        first: dict[str, str] = {}
        for a in sorted(detail["articles"], key=lambda a: a["published"] or "9999"):
            first.setdefault(names[a["outlet"]], a["published"])
        assert page.locator("#coverage .cov-outlet").all_text_contents() == list(first)
        times = page.locator("#story-articles time").all_inner_texts()
        assert times == sorted(times)
        assert page.locator("#contradictions .contradiction").count() == n

        # The provenance graph names outlets in full (no "Sputnik Internation…").
        page.locator(".claim-group a.prov-link").first.click()
        page.wait_for_selector("#prov-graph .node-outlet")
        outlets = page.locator("#prov-graph .node-outlet").all_text_contents()
        assert "Sputnik International" in outlets and not any("…" in o for o in outlets)
        assert page.locator("#prov-graph").evaluate("el => el.viewBox.baseVal.width") >= 720
        s.assert_clean()
    finally:
        s.close()


# ------------------------------------------------------------------ hostile content in titles, outlets and quotes


def _hostile_reprint(aid: str, outlet: str, domain: str, published: str, quote_words: str | None):
    """The hostile article again under another hostile outlet, optionally with its quote reworded."""
    base = hostile()
    text = base.article.text.replace("is not a quote", quote_words) if quote_words else base.article.text
    art = dataclasses.replace(base.article, id=aid, url=f"https://{domain}/a", published=published, text=text,
                              source=dataclasses.replace(base.article.source, name=outlet, domain=domain),
                              title=f"{PAYLOADS[1]} reprinted {PAYLOADS[0]}")
    q = span(text, f"{PAYLOADS[0]} {quote_words or 'is not a quote'},")
    lead = text.split("\n\n")[0]
    return dataclasses.replace(
        base, article=art, entities=[], framing=[],
        quotes=[dataclasses.replace(base.quotes[0], text=text[q[0]:q[1]], start=q[0], end=q[1])],
        claims=[dataclasses.replace(base.claims[0], start=0, end=len(lead), sentence=lead)])


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from newsledger import stories
    from newsledger.store import open_store

    items = fictional_analyses(include_hostile=True) + [
        _hostile_reprint("evil-copy-0006", f"Copycat {PAYLOADS[2]} Wire", "copycat.example", "2025-12-11T13:00:00+00:00", None),
        _hostile_reprint("evil-alt-0007", f"Mirror {PAYLOADS[5]} Post", "mirror.example", "2025-12-11T16:00:00+00:00",
                         "is certainly not a quote"),
    ]
    db = tmp_path_factory.mktemp("stories-hostile") / "news.db"
    with open_store(db) as store:
        store.upsert_many(items)
        stories.update(store, [a.article.id for a in items])
    server = tb.LiveServer(db)
    yield server
    server.stop()


def _inert(page, name: str) -> None:
    text = page.locator("main").inner_text()
    assert any(p in text for p in PAYLOADS), f"{name}: payload not shown as text"
    assert page.evaluate(INJECTED) == 0, name


def test_hostile_story_views_render_inert(browser, hostile_server):
    s = _session(browser, hostile_server, "stories-hostile")
    try:
        page = s.page
        s.goto("#/stories", ".story-item")
        item = page.locator(".story-item", has=page.locator(".story-size", has_text="3"))
        item.locator(".outlet-names").wait_for()
        assert item.locator(".story-size").inner_text() == "3"
        assert PAYLOADS[2] in item.locator(".outlet-names").inner_text()
        _inert(page, "list")
        s.shoot("hostile-1-list")

        item.locator("a.story-link").click()
        page.wait_for_selector("#coverage")
        assert PAYLOADS[0] in page.locator("#story-title").inner_text()
        assert page.locator("#coverage .cov-dot").count() == 3
        assert page.locator("#coverage .cov-copy").count() == 2
        assert page.locator("#coverage .cov-badge").all_text_contents() == ["copy", "copy"]
        assert page.locator("#story-articles .badge-copy").count() == 2
        _inert(page, "story")
        s.shoot("hostile-2-story")

        page.locator(".claim-group a.prov-link").first.click()
        page.wait_for_selector("#prov-graph .node-first")
        assert f"Evil {PAYLOADS[1]} News" in page.locator("#prov-first").inner_text()
        assert page.locator("#prov-graph .node-source title").all_text_contents() == [PAYLOADS[4]]
        assert page.locator("#prov-graph .node").count() == 4  # three articles and the one they cite
        assert page.locator("#prov-graph .edge-copies").count() == 2
        _inert(page, "claim")
        s.shoot("hostile-3-claim")

        # From the quotes explorer to the quote's provenance: the reworded reprint shows as a word diff.
        s.goto(f"#/quotes?speaker={PAYLOADS[1]}", ".quote-card")
        page.locator(".quote-card a.prov-link").first.click()
        page.wait_for_selector("#prov-uses .word-diff")
        assert page.locator("#prov-first").inner_text().startswith(f"Evil {PAYLOADS[1]} News")
        assert page.locator("#prov-uses .word-diff ins").all_inner_texts() == ["certainly"]
        assert page.locator("#prov-uses .word-diff del").count() == 0
        assert page.locator("#prov-graph .edge-altered").count() == 1
        assert page.locator("#prov-graph .edge-copies").count() == 1  # the verbatim reprint
        assert page.locator("#prov-graph .edge-repeats").count() == 0
        _inert(page, "quote")
        s.shoot("hostile-4-quote")
        page.wait_for_timeout(300)  # give any stray handler a chance to fire
        s.assert_clean()
    finally:
        s.close()
