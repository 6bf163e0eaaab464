"""Sitemap parsing and walking, with a played network (no sockets)."""

from __future__ import annotations

import httpx
import pytest

from newsledger.ingest import Fetcher, FetchOptions
from newsledger.ingest.sitemaps import parse_sitemap, read_sitemap
from newsledger.schema import BadInput, RawDocument

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(*locs: str) -> bytes:
    return f"<urlset {NS}>{''.join(f'<url><loc>{u}</loc></url>' for u in locs)}</urlset>".encode()


def test_parse_urlset_and_limit():
    kind, entries, problem = parse_sitemap(_urlset("https://a.example/1", "https://a.example/2", "https://a.example/3"), 2)
    assert kind == "urlset"
    assert [e.loc for e in entries] == ["https://a.example/1", "https://a.example/2"]
    assert problem == "more than 2 URLs in one sitemap; the rest were skipped"


def test_parse_keeps_entries_before_malformed_tail():
    data = _urlset("https://a.example/1")[:-len("</urlset>")] + b"<url><loc>broken"
    kind, entries, problem = parse_sitemap(data, 100)
    assert [e.loc for e in entries] == ["https://a.example/1"]
    assert problem.startswith("malformed sitemap XML after 1 URLs")


@pytest.mark.parametrize("data, reason", [
    (b"<rss><channel/></rss>", "not a sitemap: root element <rss>"),
    (b"", "malformed sitemap XML: no element found: line 1, column 0"),
    (b'<!DOCTYPE u [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><urlset><url><loc>&b;</loc></url></urlset>',
     "refused XML: EntitiesForbidden"),
])
def test_parse_refusals(data, reason):
    with pytest.raises(ValueError) as err:
        parse_sitemap(data, 100)
    assert str(err.value) == reason


def test_index_nesting_is_bounded():
    # every index points at another index: the walk must stop, not loop
    def handler(request):
        n = int(request.url.path.strip("/idx") or 0)
        body = f'<sitemapindex {NS}><sitemap><loc>/idx{n + 1}</loc></sitemap></sitemapindex>'
        return httpx.Response(200, text=body, headers={"Content-Type": "application/xml"})

    fetcher = Fetcher(FetchOptions(min_interval=0, respect_robots=False),
                      resolver=lambda host, port: ["93.184.216.34"], transport=httpx.MockTransport(handler))
    with fetcher:
        start = f'<sitemapindex {NS}><sitemap><loc>https://news.example/idx1</loc></sitemap></sitemapindex>'
        (bad,) = read_sitemap(start.encode(), "https://news.example/sitemap.xml", fetcher)
    assert isinstance(bad, BadInput) and bad.reason == "sitemap index nested too deeply"
    assert bad.origin.path == "https://news.example/idx2"


def test_pages_of_a_played_site_with_relative_locs():
    pages = {"/a": b"<html><body><p>Alpha</p></body></html>"}

    def handler(request):
        body = pages.get(request.url.path)
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"Content-Type": "text/html; charset=utf-8",
                                                          "Date": "Tue, 06 May 2025 07:08:09 GMT"})

    fetcher = Fetcher(FetchOptions(min_interval=0, respect_robots=False),
                      resolver=lambda host, port: ["93.184.216.34"], transport=httpx.MockTransport(handler))
    with fetcher:
        doc, bad = read_sitemap(_urlset("/a", "https://news.example/b"), "https://news.example/sitemap.xml", fetcher)
    assert isinstance(doc, RawDocument)
    assert (doc.url, doc.charset, doc.fetched) == ("https://news.example/a", "utf-8", "2025-05-06T07:08:09+00:00")
    assert (bad.reason, bad.origin.item, bad.origin.offset) == ("HTTP 404", "https://news.example/b", 1)
