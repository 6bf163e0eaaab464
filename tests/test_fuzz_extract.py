"""Hostile raw documents straight into ``extract``: an Article or an
ExtractError, never another exception, and bounded CPU time."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from newsledger.extract import ExtractError, extract
from newsledger.schema import Article, Origin, RawDocument

# NEWSLEDGER_FUZZ_LONG=1: many more examples and the multi-second cases.
LONG = bool(os.environ.get("NEWSLEDGER_FUZZ_LONG"))
FUZZ = settings(max_examples=1000 if LONG else 40, deadline=None)

_FRAGMENTS = (
    "<p>", "</p>", "<div>", "</div>", "<article>", "</article>", "<script>", "</script>", "<!--", "-->", "<![CDATA[",
    "<title>", "</title>", "<meta property=\"article:published_time\" content=\"", "\">", "<time datetime=\"",
    "&amp;", "&#0;", "&#xd800;", "&#x110000;", "&lol;", "\u201c", "\u201d", '"', "'", "\u00ab", "\x00", "\r\n",
    "\ufeff", "\u202e", "Mara Velde said", " in Lisbon", ". ", "2203-01-01", "0000-00-00", "yesterday", "1e20",
    "<html>", "<body>", "<p class=\"", "<a href=\"javascript:alert(1)\">", "<img src=x onerror=1>",
)
_markup = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=30)), max_size=60).map("".join)


def _extract(raw: RawDocument) -> Article | None:
    """The Article, or None for an ExtractError; anything else fails the test."""
    started = time.process_time()
    try:
        art = extract(raw)
    except ExtractError as e:
        assert str(e), "an ExtractError must say why"
        return None
    finally:
        assert time.process_time() - started < 5.0
    assert isinstance(art, Article) and art.id
    art.text.encode("utf-8")
    return art


@FUZZ
@given(page=_markup, charset=st.sampled_from([None, "utf-8", "latin-1", "shift_jis", "x-bogus", "utf-16"]),
       as_bytes=st.booleans())
def test_html_extractor_on_hostile_markup(page, charset, as_bytes):
    content = page.encode("utf-8", "surrogatepass") if as_bytes else page
    _extract(RawDocument(Origin("html", "fuzz"), "html", content, url="https://n.example/a", charset=charset))


@FUZZ
@given(data=st.binary(max_size=2048))
def test_html_extractor_on_random_bytes(data):
    _extract(RawDocument(Origin("html", "fuzz"), "html", data))


_dump_lines = st.lists(st.one_of(
    st.sampled_from(["date 2025-05-06 https://n.example/a", "date 0000-00-00 https://n.example/b",
                     "date 2203-99-99 //x", "2025-05-06T09:30:00+0200", "1e20", "By Mara Velde", "\u201c" * 40,
                     "https://n.example/img/a.jpg", "Northwind Gazette", "", " ", "\x00", "yesterday"]),
    st.text(max_size=200)), max_size=40)


@FUZZ
@given(lines=_dump_lines)
def test_dump_extractor_on_hostile_pages(lines):
    text = "\n".join(["date 2025-05-06 https://n.example/a", *lines])
    art = _extract(RawDocument(Origin("dump", "fuzz"), "dump", text, url="https://n.example/a"))
    if art is not None:
        assert art.text.strip() and art.url == "https://n.example/a"


@FUZZ
@given(text=st.text(max_size=500))
def test_text_extractor_keeps_the_body(text):
    art = _extract(RawDocument(Origin("text", "fuzz"), "text", text))
    assert art is not None and art.text == text.replace("\r\n", "\n").replace("\r", "\n")


def test_dump_with_huge_page_is_bounded():
    page = hostile.good_page(3)
    text = hostile.dump_text(page) + (page.paragraphs[0] + "\n") * (200_000 if LONG else 40_000)
    art = _extract(RawDocument(Origin("dump", "big"), "dump", text, url=page.url))
    assert art is not None and art.title == page.title


@pytest.mark.parametrize("date", hostile.ABSURD_DATES)
def test_absurd_meta_dates_are_dropped(date):
    page = hostile.good_page(7)
    html = hostile.page_html(page, published=date).replace(f'<link rel="canonical" href="{page.url}">', "")
    art = _extract(RawDocument(Origin("html", "d"), "html", html.encode(), url="https://n.example/story"))
    assert art is not None and art.published is None and page.paragraphs[0] in art.text


# ---------------------------------------------------------------- open bugs in modules other helpers own


@pytest.mark.parametrize("date", ["12", "2025", "31/02/2025"])
def test_partial_meta_dates_are_dropped(date):
    page = hostile.good_page(7)
    html = hostile.page_html(page, published=date).replace(f'<link rel="canonical" href="{page.url}">', "")
    art = _extract(RawDocument(Origin("html", "d"), "html", html.encode(), url="https://n.example/story"))
    assert art is not None and art.published is None


@pytest.mark.skipif(not LONG, reason="about 40 s: set NEWSLEDGER_FUZZ_LONG=1")
@pytest.mark.xfail(strict=False, reason="extract/html.py: a 50 MB page costs ~17 s CPU even though only the first "
                   "10 MB are parsed (the ingest readers cap pages at 20 MB, which still costs ~7 s)")
def test_50_mb_page_extracts_within_5_seconds():
    case = hostile.huge_page(1)
    started = time.process_time()
    try:
        extract(RawDocument(Origin("html", "huge"), "html", case.data, url="https://n.example/huge"))
    except ExtractError:
        pass
    assert time.process_time() - started < 5.0


def test_title_only_page_is_an_extract_error():
    raw = RawDocument(Origin("html", "e"), "html",
                      b"<!DOCTYPE html><html><head><title>Nothing</title></head><body></body></html>")
    with pytest.raises(ExtractError):
        extract(raw)


@pytest.mark.parametrize("tag, depth", [("div", 300), ("span", 10_000), ("table", 200)])
def test_deep_nesting_keeps_the_body_or_says_why(tag, depth):
    page = hostile.good_page(2)
    html = hostile.page_html(page).replace("<article>", "<article>" + f"<{tag}>" * depth, 1)
    html = html.replace("</article>", f"</{tag}>" * depth + "</article>", 1)
    art = _extract(RawDocument(Origin("html", "deep"), "html", html.encode(), url="https://n.example/deep"))
    assert art is None or page.paragraphs[-1] in art.text


@pytest.mark.parametrize("tag, depth", [("div", 300), ("table", 200)])
def test_deep_nesting_within_reach_keeps_the_body(tag, depth):
    page = hostile.good_page(2)
    html = hostile.page_html(page).replace("<article>", "<article>" + f"<{tag}>" * depth, 1)
    html = html.replace("</article>", f"</{tag}>" * depth + "</article>", 1)
    art = _extract(RawDocument(Origin("html", "deep"), "html", html.encode(), url="https://n.example/deep"))
    assert art is not None and all(p in art.text for p in page.paragraphs)


def test_nesting_beyond_libxml2_huge_mode_says_why():
    html = "<html><body><article>" + "<span>" * 3000 + "<p>Mara Velde said the tram runs.</p>" + "</span>" * 3000
    with pytest.raises(ExtractError, match="nested too deeply"):
        extract(RawDocument(Origin("html", "deep"), "html", html, url="https://n.example/deep"))


def test_lone_surrogate_becomes_a_replacement_character():
    art = _extract(RawDocument(Origin("text", "s"), "text", "Mara Velde said \ud800 the tram runs."))
    assert art is not None and art.text == "Mara Velde said \ufffd the tram runs."
