"""Hostile inputs for the fuzz tests and ``benchmarks/fuzz_run.py``.

Every generator is a pure function of an integer seed, so a failure found by
the benchmark or by Hypothesis can be replayed exactly. Each ``Case`` is one
input file plus what the pipeline must make of it: the quarantine reason it
must produce (``reason``, a substring) and the good pages inside it that must
still be stored (``good_urls``). ``reason=None`` means either outcome is
acceptable as long as nothing crashes. All text is fictional.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Callable, Optional

# ---------------------------------------------------------------- good fictional pages

_OUTLETS = ("Northwind Gazette", "Harwick Courier", "Vale Observer", "Eastmarch Herald", "Lowfield Post")
_FIRST = ("Mara", "Ivo", "Selin", "Tomas", "Anouk", "Rafael", "Ilse", "Kwame", "Dana", "Oskar")
_LAST = ("Velde", "Brand", "Okafor", "Lindqvist", "Marchetti", "Duarte", "Havel", "Strand", "Quiroga", "Pell")
_PLACES = ("Lisbon", "Krakow", "Tromso", "Valencia", "Gdansk", "Porto", "Bergen", "Brno", "Lyon", "Ghent")
_TOPICS = ("harbour", "tram line", "flood barrier", "library", "bridge", "market hall", "ferry route", "school")


@dataclass(frozen=True)
class Page:
    url: str
    title: str
    paragraphs: tuple[str, ...]
    published: str
    author: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def good_page(i: int) -> Page:
    """A unique, plausible news story; ``i`` makes its URL and wording distinct."""
    r = random.Random(i)
    person = f"{r.choice(_FIRST)} {r.choice(_LAST)}"
    other = f"{r.choice(_FIRST)} {r.choice(_LAST)}"
    place, topic, outlet = r.choice(_PLACES), r.choice(_TOPICS), r.choice(_OUTLETS)
    n = 100 + i
    day = 1 + i % 28
    paragraphs = (
        f"The city council of {place} approved a plan on Tuesday to rebuild the {topic}, "
        f"a project expected to cost {n} million euros over the next four years.",
        f"\u201cWe will finish the first stage by spring,\u201d said {person}, who chairs the council's works committee. "
        f"\u201cResidents have waited long enough.\u201d",
        f"Opponents led by {other} argued that the {topic} could be repaired for far less. "
        f"{other.split()[1]} said the council had ignored an engineering report published in {2000 + i % 25}.",
        f"Work on the {topic} in {place} is due to begin in March, according to the council, "
        f"and will employ about {n * 3} people at its peak. Record number {i}.",
    )
    slug = topic.replace(" ", "-")
    return Page(
        url=f"https://{outlet.lower().replace(' ', '')}.example/news/2025/05/{day:02d}/{slug}-{i}",
        title=f"{place} council backs {topic} rebuild ({i})",
        paragraphs=paragraphs,
        published=f"2025-05-{day:02d}T09:30:00+02:00",
        author=person,
    )


def page_html(page: Page, *, published: Optional[str] = None, charset: str = "utf-8",
              extra_head: str = "", body_attrs: str = "") -> str:
    date = page.published if published is None else published
    paras = "".join(f"<p>{p}</p>\n" for p in page.paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head>"
        f"<meta charset=\"{charset}\"><title>{page.title}</title>"
        f"<link rel=\"canonical\" href=\"{page.url}\">"
        f"<meta property=\"article:published_time\" content=\"{date}\">"
        f"<meta name=\"author\" content=\"{page.author}\">{extra_head}</head>\n"
        f"<body{body_attrs}><header><nav><a href=\"/\">Home</a></nav></header>\n"
        f"<article><h1>{page.title}</h1><p class=\"byline\">By {page.author}</p>\n{paras}</article>\n"
        "<footer>Contact us</footer></body></html>\n"
    )


def good_html(i: int) -> tuple[str, bytes]:
    page = good_page(i)
    return page.url, page_html(page).encode("utf-8")


def dump_text(page: Page) -> str:
    """The page in the seed's text-node dump format."""
    lines = [f"date {page.published[:10]} {page.url}", page.title, page.title, "Northwind Gazette",
             page.paragraphs[0], page.published, *page.paragraphs[1:]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- WARC pieces


def warc_record(url: str, body: bytes, *, length: Optional[str] = None, ctype: str = "text/html; charset=utf-8",
                date: str = "2025-05-06T07:08:09Z", record_id: str = "") -> bytes:
    """One uncompressed WARC response record; ``length`` overrides the true Content-Length."""
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    rid = record_id or f"<urn:uuid:{hashlib.sha1(url.encode() + body).hexdigest()[:32]}>"
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: {rid}\r\nWARC-Date: {date}\r\nWARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http) if length is None else length}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1, mtime=0)


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    kind: str  # what is hostile about it
    name: str  # file name; its extension picks the reader
    data: bytes
    reason: Optional[str]  # substring of the quarantine reason it must produce; None: either outcome
    good_urls: tuple[str, ...] = field(default=())  # pages in it that must still be stored


ABSURD_DATES = (
    "2203-01-01T00:00:00Z", "0000-00-00", "yesterday", "1e20", "99999-12-31", "-0001-01-01",
    "2025-13-45T25:61:61+99:00", "Mon, 32 Foo 2025 99:99:99 +9999", "9" * 120, "\x00\x00", "NaN",
)


def truncated_gzip_html(i: int) -> Case:
    _, html = good_html(i)
    z = _gz(html)
    return Case("truncated gzip", f"page{i}.html.gz", z[: max(12, len(z) // 2)], "cannot read file")


def truncated_gzip_jsonl(i: int) -> Case:
    lines = b"".join(_jsonl_line(good_page(i * 10 + k)) for k in range(3))
    z = _gz(lines)
    return Case("truncated gzip", f"lines{i}.jsonl.gz", z[: len(z) - 9], "cannot read file")


def _jsonl_line(page: Page, **over) -> bytes:
    record = {"url": page.url, "html": page_html(page), "published": page.published, "title": page.title}
    record.update(over)
    return json.dumps(record).encode() + b"\n"


def warc_bad_length(i: int) -> Case:
    url, html = good_html(i)
    bad_len = random.Random(i).choice(("abc", "-5", "", "1e9", "0x10", "99999999999999999999999"))
    data = warc_record(url, html) + warc_record(url + "/b", html, length=bad_len)
    return Case("corrupt WARC length", f"crawl{i}.warc", data, "damaged WARC", (url,))


def warc_length_too_long(i: int) -> Case:
    url, html = good_html(i)
    second = warc_record(url + "/b", html)
    true_len = len(second.split(b"\r\n\r\n", 1)[1]) - 4
    data = warc_record(url, html) + warc_record(url + "/b", html, length=str(true_len + 5000))
    return Case("corrupt WARC length", f"crawl{i}.warc", data, "damaged WARC", (url,))


def warc_length_too_short(i: int) -> Case:
    url, html = good_html(i)
    data = warc_record(url, html) + warc_record(url + "/b", html, length="40") + warc_record(url + "/c", html)
    return Case("corrupt WARC length", f"crawl{i}.warc", data, "damaged WARC", (url,))


def warc_garbage_header(i: int) -> Case:
    url, html = good_html(i)
    junk = random.Random(i).choice((
        b"WARC/1.0\r\nthis line has no colon\r\n\xff\xfe\x00\r\n\r\n",
        b"WARC/9.9\r\nWARC-Type: response\r\nContent-Length: 10\r\n\r\n0123456789\r\n\r\n",
        b"NOT-A-WARC/1.0\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n",
        b"WARC/1.0\r\nWARC-Type: response\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n",
    ))
    return Case("corrupt WARC header", f"crawl{i}.warc", warc_record(url, html) + junk, "damaged WARC", (url,))


def warc_truncated_gzip(i: int) -> Case:
    url, html = good_html(i)
    first = _gz(warc_record(url, html))
    second = _gz(warc_record(url + "/b", html))
    return Case("truncated gzip", f"crawl{i}.warc.gz", first + second[: len(second) // 2], "damaged WARC", (url,))


def warc_random(i: int) -> Case:
    r = random.Random(i)
    return Case("binary data", f"crawl{i}.warc", b"WARC/1.0\r\n" + r.randbytes(2000), "damaged WARC")


def binary_html(i: int) -> Case:
    r = random.Random(i)
    head = r.choice((b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"\x00\x01\x02\x03", b"GIF89a"))
    return Case("binary data", f"image{i}.html", head + r.randbytes(3000), "not HTML")


def binary_text(i: int) -> Case:
    return Case("binary data", f"notes{i}.txt", random.Random(i).randbytes(3000) + b"\x00" * 64, "not text")


def nul_bytes_html(i: int) -> Case:
    """A good page with NUL bytes sprinkled through its body: the page must survive."""
    page = good_page(i)
    html = page_html(page).encode()
    cut = html.index(b"<article>")
    body = html[cut:].replace(b". ", b".\x00 ")
    return Case("NUL bytes", f"nul{i}.html", html[:cut] + body, None, ())


def nul_only(i: int) -> Case:
    return Case("NUL bytes", f"zero{i}.html", b"\x00" * (1000 + i % 500), "binary content")


def huge_page(i: int, size: int = 50 * 1024 * 1024) -> Case:
    """A page past the reader's cap: quarantined without being parsed."""
    page = good_page(i)
    filler = ("<p>" + page.paragraphs[0] + "</p>\n").encode()
    html = page_html(page).encode()
    body = html.replace(b"</article>", filler * (size // len(filler)) + b"</article>")
    return Case("50 MB page", f"huge{i}.html", body, "page larger than")


def deep_nesting(i: int, depth: int = 10_000) -> Case:
    page = good_page(i)
    tag = random.Random(i).choice(("div", "span", "b", "section", "table"))
    html = page_html(page).replace("<article>", "<article>" + f"<{tag}>" * depth, 1)
    html = html.replace("</article>", f"</{tag}>" * depth + "</article>", 1)
    return Case("10,000-deep nesting", f"deep{i}.html", html.encode(), None)


def deep_json(i: int, depth: int = 10_000) -> Case:
    line = b'{"url": "https://x.example/a", "html": ' + b"[" * depth + b"]" * depth + b"}\n"
    return Case("10,000-deep nesting", f"deep{i}.jsonl", line, "invalid JSON")


def huge_attribute(i: int) -> Case:
    """A good page with a 4 MB attribute value and one absurdly long tag: it must still come through."""
    page = good_page(i)
    attrs = f' data-blob="{"x" * (4 * 1024 * 1024)}" style="{"a:b;" * 10000}"'
    return Case("huge attribute values", f"attr{i}.html", page_html(page, body_attrs=attrs).encode(), None,
                (page.url,))


_CYRILLIC = "Городской совет одобрил план восстановления моста. Работы начнутся весной, сказала Мара Вельде."


def mislabelled_encoding(i: int) -> Case:
    """Declared charset disagrees with the bytes; the page must still come through."""
    page = good_page(i)
    r = random.Random(i)
    variant = r.randrange(4)
    extra = f"<p>{_CYRILLIC}</p>" if variant < 2 else "<p>Caf\u00e9 na\u00efve \u00fcber \u00e0 la \u00e9t\u00e9.</p>"
    html = page_html(page).replace("</article>", extra + "</article>")
    if variant == 0:  # says utf-8, is cp1251
        data = html.encode("cp1251", "replace")
    elif variant == 1:  # says shift_jis, is utf-8
        data = html.replace('charset="utf-8"', 'charset="shift_jis"').encode()
    elif variant == 2:  # says utf-8, is latin-1
        data = html.encode("latin-1", "replace")
    else:  # says a charset that does not exist
        data = html.replace('charset="utf-8"', 'charset="x-no-such-charset-9"').encode()
    return Case("mislabelled encoding", f"enc{i}.html", data, None, (page.url,))


def mixed_encodings(i: int) -> Case:
    page = good_page(i)
    html = page_html(page)
    half = len(html) // 2
    data = html[:half].encode("utf-8") + "\u00e9\u00e8 \u00fc".encode("cp1252") + html[half:].encode("utf-8")
    data = data.replace(b"</article>", "<p>\u0416\u0443\u0440\u043d\u0430\u043b</p>".encode("koi8-r")
                        + "<p>\u2014 \u201cquoted\u201d</p>".encode("cp1252") + b"</article>")
    return Case("mixed encodings", f"mixed{i}.html", data, None, (page.url,))


def absurd_date_html(i: int) -> Case:
    page = good_page(i)
    date = ABSURD_DATES[i % len(ABSURD_DATES)]
    extra = f'<meta name="date" content="{date}"><meta itemprop="dateModified" content="{date}">'
    html = page_html(page, published=date, extra_head=extra).replace(
        "<p class=\"byline\">", f"<time datetime=\"{date}\">{date}</time><p class=\"byline\">")
    return Case("absurd dates", f"date{i}.html", html.encode(), None, (page.url,))


def absurd_date_jsonl(i: int) -> Case:
    pages = [good_page(i * 3 + k) for k in range(3)]
    dates = [ABSURD_DATES[(i + k) % len(ABSURD_DATES)] for k in range(2)]
    data = (_jsonl_line(pages[0], published=dates[0]) + _jsonl_line(pages[1], published=1e20)
            + _jsonl_line(pages[2], published=dates[1]))
    return Case("absurd dates", f"dates{i}.jsonl", data, None, tuple(p.url for p in pages))


def _rss(items: list[str], doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>{doctype}<rss version="2.0"><channel>'
            f"<title>Northwind Gazette</title><link>https://northwind.example/</link>{''.join(items)}"
            "</channel></rss>").encode()


def _rss_item(page: Page, date: str) -> str:
    body = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in page.paragraphs)
    return (f"<item><title>{page.title}</title><link>{page.url}</link><guid>{page.url}</guid>"
            f"<pubDate>{date}</pubDate><description>{body}</description></item>")


def billion_laughs_feed(i: int) -> Case:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">' for k in range(1, 10))
    doctype = f"<!DOCTYPE rss [{ents}]>"
    item = _rss_item(good_page(i), "Tue, 06 May 2025 09:30:00 +0200").replace("<title>", "<title>&lol9;", 1)
    return Case("billion laughs", f"feed{i}.rss", _rss([item], doctype), "refused XML")


def external_entity_feed(i: int) -> Case:
    doctype = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    item = _rss_item(good_page(i), "Tue, 06 May 2025 09:30:00 +0200").replace("<title>", "<title>&xxe;", 1)
    return Case("billion laughs", f"feed{i}.xml", _rss([item], doctype), "refused XML")


def absurd_date_feed(i: int) -> Case:
    pages = [good_page(i * 2 + k) for k in range(2)]
    dates = [d for d in ABSURD_DATES if "\x00" not in d]  # XML cannot carry NUL: that is a binary file
    items = [_rss_item(p, dates[(i + k) % len(dates)]) for k, p in enumerate(pages)]
    return Case("absurd dates", f"feed{i}.rss", _rss(items), None, tuple(p.url for p in pages))


def unbalanced_quotes(i: int) -> Case:
    page = good_page(i)
    r = random.Random(i)
    marks = ["\u201c", "\u201d", '"', "\u00ab", "\u00bb", "'", "\u2018", "\u201e"]
    paras = list(page.paragraphs)
    for k in range(len(paras)):
        words = paras[k].split(" ")
        for _ in range(3):
            pos = r.randrange(len(words))
            words[pos] = r.choice(marks) + words[pos]
        paras[k] = " ".join(words)
    noisy = Page(page.url, page.title, tuple(paras), page.published, page.author)
    return Case("unbalanced quotation marks", f"quotes{i}.html", page_html(noisy).encode(), None, (page.url,))


def empty_body(i: int) -> Case:
    variant = i % 5
    if variant == 0:
        return Case("empty body", f"empty{i}.html", b"", "empty file")
    if variant == 1:
        return Case("empty body", f"blank{i}.html", b" \n\t\r\n " * 10, "empty file")
    if variant == 2:
        # Kept as a title-only article by the HTML extractor (see test_fuzz_extract), so either outcome.
        return Case("empty body", f"shell{i}.html",
                    b"<!DOCTYPE html><html><head><title>Nothing</title></head><body></body></html>", None)
    if variant == 3:
        return Case("empty body", f"empty{i}.txt", b"", "empty file")
    return Case("empty body", f"empty{i}.jsonl", b'{"url": "https://x.example/e", "html": ""}\n',
                "needs a non-empty")


# Lines a JSONL file must quarantine one by one, each with its reason.
_WRONG_TYPES = (
    (b'{"url": 12, "html": "<p>x</p>"}', "'url' is not a string"),
    (b'{"url": "https://x.example/l", "html": ["<p>x</p>"]}', "needs a non-empty"),
    (b'{"url": "https://x.example/d", "text": {"body": "x"}}', "needs a non-empty"),
    (b'["url", "html"]', "not a JSON object"),
    (b'"just a string"', "not a JSON object"),
    (b"null", "not a JSON object"),
    (b'{"url": "https://x.example/t", "html": "<p>unterminated', "invalid JSON"),
    (b"\xff\xfe{\x00}\x00", "invalid JSON"),
    (b'{"url": "https://x.example/n", "html": NaN}', "needs a non-empty"),
    (b'{"html": 1e999}', "needs a non-empty"),
)


def jsonl_wrong_types(i: int) -> Case:
    r = random.Random(i)
    pages = [good_page(i * 2 + k) for k in range(2)]
    bad, reason = _WRONG_TYPES[i % len(_WRONG_TYPES)]
    lines = [_jsonl_line(pages[0]), bad + b"\n", _jsonl_line(pages[1], authors={"name": 5}, title=7,
                                                            published=r.choice([[], {}, 3, True]))]
    return Case("JSONL wrong types", f"mixed{i}.jsonl", b"".join(lines), reason, tuple(p.url for p in pages))


def bad_dump(i: int) -> Case:
    variant = i % 3
    if variant == 0:
        data = b"date 2025-05-06 https://northwind.example/a\n\n\n"
        return Case("empty body", f"dump{i}.txt", data, "dump:")
    if variant == 1:
        page = good_page(i)
        data = (f"date 0000-00-00 {page.url}\n{page.title}\n" + "\u201c" * 300 + "\n").encode()
        return Case("absurd dates", f"dump{i}.txt", data, None)
    page = good_page(i)
    good = dump_text(page)
    data = (good + "date 2203-99-99 https://northwind.example/z\n" + "\x00" * 10 + "\n").encode()
    return Case("absurd dates", f"dump{i}.txt", data, None, (page.url,))


def bit_flipped(i: int) -> Case:
    """A good input of any format with random bytes overwritten: any outcome but a crash."""
    r = random.Random(i)
    base = r.choice((truncated_gzip_html, warc_bad_length, jsonl_wrong_types, absurd_date_feed, bad_dump,
                     mislabelled_encoding))(i)
    data = bytearray(base.data)
    for _ in range(1 + r.randrange(20)):
        if data:
            data[r.randrange(len(data))] = r.randrange(256)
    return Case("random bit flips", base.name, bytes(data), None)


def good_case(i: int) -> Case:
    """A good page in one of the formats."""
    page = good_page(i)
    fmt = i % 4
    if fmt == 0:
        return Case("good", f"good{i}.html", page_html(page).encode(), None, (page.url,))
    if fmt == 1:
        return Case("good", f"good{i}.jsonl", _jsonl_line(page), None, (page.url,))
    if fmt == 2:
        return Case("good", f"good{i}.warc.gz", _gz(warc_record(page.url, page_html(page).encode())), None,
                    (page.url,))
    return Case("good", f"good{i}.txt", dump_text(page).encode(), None, (page.url,))


# Cheap generators, drawn uniformly by the fuzz tests and the benchmark; the
# costly ones (50 MB page, 10,000-deep nesting) are used a few times only.
GENERATORS: tuple[Callable[[int], Case], ...] = (
    truncated_gzip_html, truncated_gzip_jsonl, warc_bad_length, warc_length_too_long, warc_length_too_short,
    warc_garbage_header, warc_truncated_gzip, warc_random, binary_html, binary_text, nul_bytes_html, nul_only,
    mislabelled_encoding, mixed_encodings, absurd_date_html, absurd_date_jsonl, billion_laughs_feed,
    external_entity_feed, absurd_date_feed, unbalanced_quotes, empty_body, jsonl_wrong_types, bad_dump,
    bit_flipped, deep_json,
)
COSTLY: tuple[Callable[[int], Case], ...] = (huge_page, deep_nesting, huge_attribute)



def surrogate_jsonl(i: int) -> Case:
    """Escaped lone surrogates in one line: that line's page and its neighbours must all come through."""
    pages = [good_page(i * 3 + k) for k in range(3)]
    middle = _jsonl_line(pages[1]).replace(b"<p>", b"<p>\\ud800 ", 1).replace(b'"title": "', b'"title": "\\udfff', 1)
    return Case("lone surrogates", f"sur{i}.jsonl", _jsonl_line(pages[0]) + middle + _jsonl_line(pages[2]), None,
                tuple(p.url for p in pages))


def bad_char_ref_feed(i: int) -> Case:
    """Character references to surrogates or past U+10FFFF in one item: every item must come through."""
    pages = [good_page(i * 2 + k) for k in range(2)]
    ref = ("&#xd800;", "&#55296;", "&#x110000;", "&#99999999999;", "&#xDFFF;")[i % 5]
    items = [_rss_item(pages[0], "Tue, 06 May 2025 09:30:00 +0200").replace("</title>", ref + "</title>", 1),
             _rss_item(pages[1], "Tue, 06 May 2025 09:30:00 +0200").replace("&lt;/p&gt;", ref + "&lt;/p&gt;", 1)]
    return Case("bad character references", f"refs{i}.rss", _rss(items), None, tuple(p.url for p in pages))


def bad_xml_encoding_feed(i: int) -> Case:
    """An XML declaration naming an undecodable or unknown encoding."""
    name = (b"ut\x96-8", b"x-no-such-encoding", b"\xff\xfe", b"utf-32")[i % 4]
    data = _rss([_rss_item(good_page(i), "Tue, 06 May 2025 09:30:00 +0200")]).replace(b"utf-8", name, 1)
    return Case("mislabelled encoding", f"enc{i}.rss", data, None)


GENERATORS += (surrogate_jsonl, bad_char_ref_feed, bad_xml_encoding_feed)
