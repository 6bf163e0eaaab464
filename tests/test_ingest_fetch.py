"""Fetching: a local http.server stands in for the web (never the internet);
address checks on public-looking hosts use a fake resolver and transport."""

from __future__ import annotations

import gzip
import threading
import time

import httpx
import pytest

from newsledger.ingest import FetchError, FetchOptions, Fetcher, ReadStats, read
from newsledger.ingest.fetch import USER_AGENT, refused_address
from newsledger.schema import BadInput, RawDocument

import loopback

PAGE = b"<html><head><title>Quay</title></head><body><p>The quay reopened, Ivo Brand said.</p></body></html>"
HTTP_DATE = "Tue, 06 May 2025 07:08:09 GMT"


class Server:
    """Routes: path -> (status, headers, body) or a callable returning one."""

    def __init__(self):
        self.routes: dict = {}
        self.log: list[tuple[str, float, dict]] = []
        server = self

        class Handler(loopback.QuietHandler):
            def do_GET(self):
                server.log.append((self.path, time.monotonic(), dict(self.headers)))
                route = server.routes.get(self.path, (404, {}, b"not found"))
                self.reply(*(route() if callable(route) else route))

            def date_time_string(self, timestamp=None):
                return HTTP_DATE

        self.httpd, self.base = loopback.start(Handler)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [p for p, _, _ in self.log]


@pytest.fixture
def server():
    s = Server()
    yield s
    loopback.stop(s.httpd)


def local(**kw) -> FetchOptions:
    kw.setdefault("min_interval", 0)
    kw.setdefault("timeout", 5)
    return FetchOptions(allow_private=True, **kw)


HTML = {"Content-Type": "text/html; charset=iso-8859-1"}


def test_page_from_local_server(server):
    server.routes["/quay"] = (200, HTML, PAGE)
    stats = ReadStats()
    (doc,) = read([server.url("/quay")], stats=stats, fetch_options=local())
    assert isinstance(doc, RawDocument)
    assert (doc.format, doc.content, doc.url, doc.charset) == ("html", PAGE, server.url("/quay"), "iso-8859-1")
    assert doc.fetched == "2025-05-06T07:08:09+00:00"
    assert (doc.origin.kind, doc.origin.path) == ("url", server.url("/quay"))
    assert server.paths() == ["/robots.txt", "/quay"]
    assert {h["User-Agent"] for _, _, h in server.log} == {USER_AGENT}
    assert USER_AGENT.startswith("newsledger/") and USER_AGENT.endswith("(+https://github.com/newsledger/newsledger)")
    assert (stats.documents, stats.bad) == (1, 0)


def test_loopback_refused_without_flag(server):
    server.routes["/quay"] = (200, HTML, PAGE)
    (bad,) = read([server.url("/quay")], fetch_options=FetchOptions(min_interval=0))
    assert bad.reason == "refused address 127.0.0.1 (loopback)"
    assert server.log == []  # not even robots.txt was asked for


def test_redirect_to_metadata_refused_even_when_private_allowed(server):
    server.routes["/go"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    (bad,) = read([server.url("/go")], fetch_options=local())
    assert bad.reason == "refused address 169.254.169.254 (cloud metadata)"


def test_http_errors_and_non_html(server):
    server.routes["/doc.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    results = list(read([server.url("/missing"), server.url("/doc.pdf")], fetch_options=local()))
    assert [r.reason for r in results] == ["HTTP 404", "not HTML: application/pdf"]


def test_robots_disallow_and_cache(server):
    server.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                    b"User-agent: *\nDisallow: /private/\n")
    server.routes["/private/memo"] = (200, HTML, PAGE)
    server.routes["/public"] = (200, HTML, PAGE)
    results = list(read([server.url("/private/memo"), server.url("/public")], fetch_options=local()))
    assert isinstance(results[0], BadInput) and results[0].reason == "disallowed by robots.txt"
    assert isinstance(results[1], RawDocument)
    assert server.paths() == ["/robots.txt", "/public"]  # fetched once, the private page never


def test_robots_unreachable_means_disallowed(server):
    server.routes["/robots.txt"] = (503, {}, b"busy")
    server.routes["/page"] = (200, HTML, PAGE)
    (bad,) = read([server.url("/page")], fetch_options=local())
    assert bad.reason == "disallowed: robots.txt unreachable (HTTP 503)"
    assert server.paths() == ["/robots.txt"]


def test_large_robots_txt_is_read_up_to_its_cap(server):
    rules = b"User-agent: newsledger\nDisallow: /late/\n"
    server.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"# pad\n" * 100_000 + rules)
    server.routes["/late/x"] = (200, HTML, PAGE)
    (doc,) = read([server.url("/late/x")], fetch_options=local())
    assert isinstance(doc, RawDocument)  # the rule lies past 512 KiB: ignored, and no failure
    server.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, rules + b"# pad\n" * 100_000)
    (bad,) = read([server.url("/late/x")], fetch_options=local())
    assert bad.reason == "disallowed by robots.txt"


class _Clock:
    """The fetcher's clock, advanced only by its own sleeps: spacing is checked where it is kept
    (at the client), not from server arrival times, which jitter on a loaded machine."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __getattr__(self, name):
        return getattr(time, name)


def test_rate_limit_spaces_requests_to_a_host(monkeypatch):
    import newsledger.ingest.fetch as fetch

    clock = _Clock()
    monkeypatch.setattr(fetch, "time", clock)
    sent = []

    def handler(request):
        sent.append((request.headers["host"], clock.monotonic()))
        return httpx.Response(200, content=PAGE, headers=HTML)

    answers = {"a.example": ["93.184.216.34"], "b.example": ["93.184.216.35"]}
    with Fetcher(FetchOptions(min_interval=0.3, respect_robots=False), resolver=lambda h, p: answers[h],
                 transport=httpx.MockTransport(handler)) as fetcher:
        for url in ("http://a.example/1", "http://a.example/2", "http://b.example/1", "http://a.example/3"):
            fetcher.fetch(url)
    hosts = [h for h, _ in sent]
    a_times = [t for h, t in sent if h == "a.example"]
    b_time = sent[2][1]
    assert hosts == ["a.example", "a.example", "b.example", "a.example"]
    assert all(later - earlier >= 0.3 - 1e-9 for earlier, later in zip(a_times, a_times[1:])), a_times
    assert b_time == a_times[1]  # another host does not wait for a.example's interval


def test_rate_limit_includes_robots_request(server, monkeypatch):
    import newsledger.ingest.fetch as fetch

    clock = _Clock()
    monkeypatch.setattr(fetch, "time", clock)
    server.routes["/a"] = (200, HTML, PAGE)
    list(read([server.url("/a")], fetch_options=local(min_interval=0.3)))
    assert server.paths() == ["/robots.txt", "/a"]
    assert clock.sleeps == [pytest.approx(0.3)]  # the page waited a full interval after robots.txt


def test_size_cap_declared_and_streamed(server):
    server.routes["/big"] = (200, HTML, b"<html>" + b"x" * 5000)
    server.routes["/big-unlabelled"] = (200, {**HTML, "X-No-Length": "1"}, b"<html>" + b"x" * 5000)
    bomb = gzip.compress(b"<html>" + b" " * 200_000)
    server.routes["/bomb"] = (200, {**HTML, "Content-Encoding": "gzip"}, bomb)
    urls = [server.url(p) for p in ("/big", "/big-unlabelled", "/bomb")]
    reasons = [r.reason for r in read(urls, fetch_options=local(max_bytes=1000))]
    assert reasons == [
        "response larger than 1,000 bytes",  # declared by Content-Length
        "response larger than 1,000 bytes",  # counted while streaming
        "response larger than 1,000 bytes",  # counted after inflating
    ]


def test_redirects_followed_and_capped(server):
    for i in range(6):
        server.routes[f"/r{i}"] = (301, {"Location": f"/r{i + 1}"}, b"")
    server.routes["/r6"] = (200, HTML, PAGE)
    (doc,) = read([server.url("/r3")], fetch_options=local())
    assert doc.url == server.url("/r6") and doc.content == PAGE
    server.log.clear()
    (bad,) = read([server.url("/r0")], fetch_options=local(max_redirects=3))
    assert bad.reason == "too many redirects (more than 3)"
    assert server.paths() == ["/robots.txt", "/r0", "/r1", "/r2", "/r3"]


def test_timeout(server):
    answer = threading.Event()  # held until the client has given up, however slow the machine

    def slow():
        answer.wait(30)
        return 200, HTML, PAGE

    server.routes["/slow"] = slow
    try:
        (bad,) = read([server.url("/slow")], fetch_options=local(timeout=0.2, respect_robots=False))
    finally:
        answer.set()
    assert bad.reason == "timeout after 0.2 s"


def test_feed_items_follow_links_with_fallback(server):
    server.routes["/story-1"] = (200, HTML, PAGE)
    server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harwick Courier</title>
<item><title>Quay reopens</title><link>{server.base}/story-1</link>
<pubDate>Tue, 06 May 2025 09:30:00 -0400</pubDate><author>desk@harwick.example (Ivo Brand)</author></item>
<item><title>Gone story</title><link>/story-2</link><description>Only the summary survives.</description></item>
<item><title>No link</title><description>Wire copy without a page.</description></item>
</channel></rss>""".encode())
    first, second, third = read([server.url("/feed.xml")], fetch_options=local())
    assert (first.content, first.url, first.origin.kind) == (PAGE, server.url("/story-1"), "feed")
    assert first.origin.path == server.url("/feed.xml")
    assert first.hints["published"] == "2025-05-06T09:30:00-04:00" and first.hints["title"] == "Quay reopens"
    assert second.url == server.url("/story-2")  # relative link resolved against the feed URL
    assert b"<article>Only the summary survives.</article>" in second.content
    assert second.hints == {"title": "Gone story", "fetch_error": "HTTP 404"}
    assert third.url is None and b"Wire copy without a page." in third.content
    assert server.paths() == ["/robots.txt", "/feed.xml", "/story-1", "/story-2"]


def test_news_sitemap_index_from_server(server):
    server.routes["/sitemap.xml"] = (200, {"Content-Type": "application/xml"}, f"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{server.base}/news.xml.gz</loc></sitemap></sitemapindex>""".encode())
    news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>{server.base}/a</loc><lastmod>2025-05-06</lastmod>
  <news:news><news:publication><news:name>Harwick Courier</news:name><news:language>en</news:language></news:publication>
  <news:publication_date>2025-05-06T08:00:00+02:00</news:publication_date><news:title>Dam inspected</news:title></news:news>
  <image:image><image:loc>{server.base}/dam.jpg</image:loc><image:title>Photo</image:title></image:image></url>
<url><loc>{server.base}/b</loc></url>
</urlset>""".encode()
    server.routes["/news.xml.gz"] = (200, {"Content-Type": "application/x-gzip"}, gzip.compress(news))
    server.routes["/a"] = (200, HTML, PAGE)
    results = list(read([server.url("/sitemap.xml")], fetch_options=local()))
    assert isinstance(results[0], RawDocument) and results[0].url == server.url("/a")
    assert results[0].hints == {"modified": "2025-05-06", "published": "2025-05-06T08:00:00+02:00",
                                "title": "Dam inspected"}
    assert (results[0].origin.kind, results[0].origin.path, results[0].origin.offset) == (
        "sitemap", server.url("/news.xml.gz"), 0)
    assert isinstance(results[1], BadInput) and results[1].reason == "HTTP 404"
    assert results[1].origin.item == server.url("/b")


def test_sitemap_file_on_disk(server, tmp_path):
    server.routes["/a"] = (200, HTML, PAGE)
    path = tmp_path / "sitemap.xml"
    path.write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{server.base}/a</loc>'
                    "</url></urlset>", encoding="utf-8")
    (doc,) = read([str(path)], fetch_options=local(follow_links=True))
    assert doc.content == PAGE and doc.origin.path == str(path)


def test_local_feed_and_sitemap_files_fetch_nothing_unless_asked(server, tmp_path):
    server.routes["/a"] = (200, HTML, PAGE)
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{server.base}/a</loc>'
                       "</url></urlset>", encoding="utf-8")
    feed = tmp_path / "feed.rss"
    feed.write_text(f"<rss version='2.0'><channel><item><title>Quay</title><link>{server.base}/a</link>"
                    "<description>The quay reopened.</description></item></channel></rss>", encoding="utf-8")
    (bad, item) = read([str(sitemap), str(feed)], fetch_options=local())
    assert isinstance(bad, BadInput) and "links not followed (pass --follow-links" in bad.reason
    assert b"The quay reopened." in item.content and item.content != PAGE
    assert server.paths() == []  # not even robots.txt


# ------------------------------------------------------------ address checks, no sockets


def _public_fetcher(handler, answers):
    """A Fetcher that believes names resolve as in ``answers`` and whose
    network is ``handler``: the public host is only played."""
    return Fetcher(
        FetchOptions(min_interval=0, respect_robots=False),
        resolver=lambda host, port: answers[host],
        transport=httpx.MockTransport(handler),
    )


@pytest.mark.parametrize("location, reason", [
    ("http://127.0.0.1:8080/admin", "refused address 127.0.0.1 (loopback)"),
    ("http://169.254.169.254/latest/meta-data/", "refused address 169.254.169.254 (cloud metadata)"),
    ("http://[fd00:ec2::254]/", "refused address fd00:ec2::254 (cloud metadata)"),
    ("http://[::ffff:10.0.0.5]/", "refused address 10.0.0.5 (private)"),
    ("http://intranet.example/", "refused address 192.168.1.20 (private)"),
    ("ftp://files.example/x", "unsupported URL: ftp://files.example/x"),
])
def test_redirect_from_public_host_to_internal_is_refused(location, reason):
    seen = []

    def handler(request):
        seen.append((str(request.url), request.headers["host"]))
        return httpx.Response(302, headers={"Location": location})

    answers = {"news.example": ["93.184.216.34"], "intranet.example": ["192.168.1.20"]}
    with _public_fetcher(handler, answers) as fetcher:
        with pytest.raises(FetchError) as err:
            fetcher.fetch("http://news.example/story")
    assert str(err.value) == reason
    # the connection went to the vetted address, with the name in Host
    assert seen == [("http://93.184.216.34/story", "news.example")]


def test_any_private_answer_refuses_the_host():
    with _public_fetcher(lambda r: httpx.Response(200), {"mixed.example": ["93.184.216.34", "10.1.2.3"]}) as f:
        with pytest.raises(FetchError, match=r"refused address 10\.1\.2\.3 \(private\)"):
            f.fetch("http://mixed.example/")


def test_refused_address_table():
    assert refused_address("8.8.8.8", False) is None
    assert refused_address("2606:4700::1111", False) is None
    assert refused_address("127.0.0.1", True) is None
    assert refused_address("0.0.0.0", False) == "refused address 0.0.0.0 (unspecified)"
    assert refused_address("224.0.0.1", False) == "refused address 224.0.0.1 (multicast)"
    assert refused_address("100.64.0.1", False) == "refused address 100.64.0.1 (not global)"
    assert refused_address("fe80::1%eth0", False) == "refused address fe80::1 (link-local)"
    assert refused_address("::1", False) == "refused address ::1 (loopback)"
    assert refused_address("240.0.0.1", False) == "refused address 240.0.0.1 (reserved)"


# ------------------------------------------------------------ TLS with a pinned address


def _self_signed(tmp_path, name):
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl not available")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}"], check=True, capture_output=True)
    return key, cert


def test_https_to_pinned_address_checks_the_certificate_name(server, tmp_path):
    import ssl

    key, cert = _self_signed(tmp_path, "news.example")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server.httpd.socket = server_ctx.wrap_socket(server.httpd.socket, server_side=True)
    port = server.httpd.server_address[1]
    server.routes["/story"] = (200, HTML, PAGE)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    answers = {"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]}
    with Fetcher(local(respect_robots=False), resolver=lambda h, p: answers[h], verify=client_ctx) as fetcher:
        resp = fetcher.fetch(f"https://news.example:{port}/story")
        assert (resp.content, resp.url) == (PAGE, f"https://news.example:{port}/story")
        assert server.log[-1][2]["Host"] == f"news.example:{port}"
        # same address, other name: the certificate is checked against the name, so this fails
        with pytest.raises(FetchError, match="network error: ConnectError: .*CERTIFICATE_VERIFY_FAILED"):
            fetcher.fetch(f"https://other.example:{port}/story")
