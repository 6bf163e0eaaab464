"""Feeds read from files: items, hints, fallbacks and hostile XML."""

from __future__ import annotations

import feedparser

from newsledger.ingest import FetchOptions, ReadStats, read
from newsledger.ingest.feeds import read_feed, refuse_reason
from newsledger.schema import BadInput

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Northwind Gazette</title><link>https://northwind.example/</link>
<item>
  <title>Harbour &amp; ferries reopen</title>
  <link>https://northwind.example/news/harbour</link>
  <guid>nw-1001</guid>
  <pubDate>Tue, 04 Mar 2025 08:15:00 +0100</pubDate>
  <dc:creator>Mara Ellison</dc:creator>
  <description>Short summary.</description>
  <content:encoded><![CDATA[<p>The harbour reopened on Monday, the port authority said.</p><p>Ferries resume at dawn.</p>]]></content:encoded>
</item>
<item>
  <title>Council votes on bridge</title>
  <link>https://northwind.example/news/bridge</link>
  <pubDate>Wed, 05 Mar 2025 17:00:00 GMT</pubDate>
  <description>The council approved the bridge, 7 votes to 2.</description>
</item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harwick Courier</title>
  <id>urn:uuid:harwick-courier</id>
  <updated>2025-05-06T10:00:00-04:00</updated>
  <entry>
    <title>Mill fire contained</title>
    <id>urn:uuid:entry-7</id>
    <link rel="alternate" href="https://harwick.example/mill-fire"/>
    <published>2025-05-06T09:30:00-04:00</published>
    <updated>2025-05-06T10:00:00-04:00</updated>
    <author><name>Ivo Brand</name></author>
    <author><name>Lena Ortiz</name></author>
    <content type="html">&lt;p&gt;Fire crews contained the blaze at the old mill.&lt;/p&gt;</content>
  </entry>
</feed>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "hahahahahahahahahaha">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rss version="2.0"><channel><title>&d;</title>
<item><title>t &d;</title><link>https://evil.example/x</link><description>&d;&d;</description></item>
</channel></rss>"""

NO_FOLLOW = FetchOptions(follow_links=False)


def test_rss_items_without_following_links(tmp_path):
    path = tmp_path / "feed.rss"
    path.write_bytes(RSS)
    stats = ReadStats()
    first, second = read([str(path)], stats=stats, fetch_options=NO_FOLLOW)
    assert (first.format, first.url, first.charset) == ("html", "https://northwind.example/news/harbour", "utf-8")
    assert first.origin.kind == "feed" and first.origin.path == str(path)
    assert (first.origin.offset, first.origin.item) == (0, "nw-1001")
    assert first.hints == {"published": "2025-03-04T08:15:00+01:00", "title": "Harbour & ferries reopen",
                           "authors": ["Mara Ellison"]}
    page = first.content.decode("utf-8")
    # the fuller content:encoded wins over the description
    assert "<article><p>The harbour reopened on Monday, the port authority said.</p><p>Ferries resume at dawn.</p>" in page
    assert "<title>Harbour &amp; ferries reopen</title>" in page
    assert second.hints == {"published": "2025-03-05T17:00:00+00:00", "title": "Council votes on bridge"}
    assert "The council approved the bridge, 7 votes to 2." in second.content.decode("utf-8")
    assert second.origin.item == "https://northwind.example/news/bridge"
    assert (stats.documents, stats.bad) == (2, 0)


def test_atom_entry_hints(tmp_path):
    path = tmp_path / "courier.atom"
    path.write_bytes(ATOM)
    (doc,) = read([str(path)], fetch_options=NO_FOLLOW)
    assert doc.url == "https://harwick.example/mill-fire"
    assert doc.origin.item == "urn:uuid:entry-7"
    assert doc.hints == {"published": "2025-05-06T09:30:00-04:00", "modified": "2025-05-06T10:00:00-04:00",
                         "title": "Mill fire contained", "authors": ["Ivo Brand", "Lena Ortiz"]}
    assert b"<p>Fire crews contained the blaze at the old mill.</p>" in doc.content


def test_feed_in_xml_file_is_sniffed(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(ATOM)
    (doc,) = read([str(path)], fetch_options=NO_FOLLOW)
    assert doc.origin.kind == "feed"


def test_billion_laughs_is_refused(tmp_path):
    path = tmp_path / "laughs.rss"
    path.write_bytes(LAUGHS)
    (bad,) = read([str(path)], fetch_options=NO_FOLLOW)
    assert isinstance(bad, BadInput)
    assert bad.reason == "refused XML: EntitiesForbidden (entity expansion or external reference)"


def test_entities_refused_even_in_malformed_xml():
    broken = LAUGHS.replace(b"</channel></rss>", b"<unclosed>")
    assert refuse_reason(broken) == "refused XML: EntitiesForbidden (entity expansion or external reference)"
    # an entity declared after a well-formedness error never reaches defusedxml's check
    late = b"<rss><channel><<<!DOCTYPE x [<!ENTITY a 'b'>]>"
    assert refuse_reason(late) == "refused XML: entity declaration"
    external = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/hostname">]><rss>&x;</rss>'
    assert refuse_reason(external).startswith("refused XML: ")
    assert refuse_reason(RSS) is None


def test_feedparser_itself_never_expands_nested_entities():
    # Defence in depth: even when handed the document directly, the installed
    # feedparser must drop the nested declarations rather than expand them.
    parsed = feedparser.parse(LAUGHS)
    text = parsed.feed.get("title", "") + "".join(e.get("title", "") + e.get("summary", "") for e in parsed.entries)
    assert "haha" * 50 not in text
    assert len(text) < 1000


def test_feed_without_entries(tmp_path):
    results = list(read_feed(b"<rss version='2.0'><channel><title>x</title></channel></rss>", "empty.rss", None))
    assert [r.reason for r in results] == ["no entries in feed"]


def test_item_without_link_or_content(tmp_path):
    feed = b"<rss version='2.0'><channel><item><title>Only a title</title></item></channel></rss>"
    (bad,) = read_feed(feed, "thin.rss", None)
    assert bad.reason == "feed item has no content (links not followed: pass --follow-links)"
    assert bad.origin.offset == 0
