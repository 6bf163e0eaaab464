"""Local file readers: dumps, text, HTML, JSONL, directories and dispatch."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from newsledger.ingest import FetchOptions, InputError, ReadStats, count_inputs, read
from newsledger.ingest import base, html_files
from newsledger.schema import BadInput, RawDocument

FOLLOW_NOTHING = FetchOptions(follow_links=False, allow_private=False)
SEED = Path(__file__).parent / "fixtures" / "seed_sputnik.txt"

PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Harbour reopens</title></head>"
    "<body><article><p>The Northwind Gazette reports the harbour reopened on Monday.</p></article></body></html>"
)
DUMP_A = " date 2025-03-04 https://northwind.example/a\nFerry strike ends\nThe ferry strike ended, said Mara Ellison.\n"
DUMP_B = " date 2025-03-05 https://northwind.example/b\nBridge opens\nThe new bridge opened on Tuesday.\n"


def _all(*inputs, stats=None):
    return list(read([str(i) for i in inputs], stats=stats))


def test_seed_file_is_one_dump_document():
    stats = ReadStats()
    (doc,) = _all(SEED, stats=stats)
    assert isinstance(doc, RawDocument)
    assert doc.format == "dump"
    assert doc.url == (
        "https://sputnikglobe.com/20251212/seversks-liberation-shows-russian-military-has-the-strategic"
        "-initiative-across-the-entire-front-1123284285.html"
    )
    assert doc.origin.kind == "dump" and doc.origin.path == str(SEED) and doc.origin.offset == 0
    assert doc.content == SEED.read_text(encoding="utf-8").rstrip("\n")
    assert (stats.documents, stats.bad, stats.files) == (1, 0, 1)


def test_two_dumps_in_one_file(tmp_path):
    path = tmp_path / "pages.txt"
    path.write_text(DUMP_A + DUMP_B, encoding="utf-8")
    docs = _all(path)
    assert [d.url for d in docs] == ["https://northwind.example/a", "https://northwind.example/b"]
    assert [d.origin.offset for d in docs] == [0, 1]
    assert docs[1].content == DUMP_B.rstrip("\n")


def test_plain_text_file_is_unchanged_text(tmp_path):
    body = "Mara Ellison said the ferries would run again.\n\nThe union agreed.\n"
    path = tmp_path / "note.txt"
    path.write_text(body, encoding="utf-8")
    (doc,) = _all(path)
    assert (doc.format, doc.content, doc.url, doc.origin.kind) == ("text", body, None, "text")


def test_html_file_and_gzip(tmp_path):
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    with gzip.open(tmp_path / "b.html.gz", "wb") as f:
        f.write(PAGE.encode("utf-8"))
    docs = _all(tmp_path / "a.html", tmp_path / "b.html.gz")
    assert [d.content for d in docs] == [PAGE.encode("utf-8")] * 2
    assert [(d.format, d.origin.kind, d.charset) for d in docs] == [("html", "html", None)] * 2


def test_html_bom_gives_charset_hint(tmp_path):
    path = tmp_path / "u16.htm"
    path.write_bytes(PAGE.encode("utf-16"))  # with BOM
    (doc,) = _all(path)
    assert doc.charset == "utf-16-le"
    assert doc.content == PAGE.encode("utf-16")


def test_bad_html_files(tmp_path, monkeypatch):
    (tmp_path / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "words.html").write_text("just some words, no tags", encoding="utf-8")
    (tmp_path / "big.html").write_bytes(b"<html>" + b"x" * 2000)
    monkeypatch.setattr(html_files, "MAX_PAGE_BYTES", 1000)
    stats = ReadStats()
    results = _all(*(tmp_path / n for n in ("binary.html", "empty.html", "words.html", "big.html")), stats=stats)
    assert all(isinstance(r, BadInput) for r in results)
    assert [r.reason for r in results] == [
        "not HTML: binary content",
        "empty file",
        "not HTML: no markup",
        "page larger than 20 MB",  # the message names the default cap
    ]
    assert (stats.documents, stats.bad) == (0, 4)


def test_gzip_bomb_is_cut_at_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(html_files, "MAX_PAGE_BYTES", 10_000)
    with gzip.open(tmp_path / "bomb.html.gz", "wb") as f:
        f.write(b"<html>" + b" " * 5_000_000)
    assert os.path.getsize(tmp_path / "bomb.html.gz") < 10_000
    (bad,) = _all(tmp_path / "bomb.html.gz")
    assert bad.reason.startswith("page larger than")


def test_jsonl_good_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"url": "https://northwind.example/1", "html": PAGE, "published": "2025-03-04T08:00:00+01:00"}),
        "",
        "{not json",
        json.dumps({"url": "https://northwind.example/2", "text": "Body text.", "title": "T", "authors": "Ann Lee"}),
        json.dumps(["a", "list"]),
        json.dumps({"url": "https://northwind.example/3"}),
        json.dumps({"url": 7, "text": "x"}),
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = _all(path)
    assert [type(r).__name__ for r in results] == [
        "RawDocument", "BadInput", "RawDocument", "BadInput", "BadInput", "BadInput"]
    first, second = results[0], results[2]
    assert (first.format, first.content, first.url, first.charset) == (
        "html", PAGE.encode("utf-8"), "https://northwind.example/1", "utf-8")
    assert first.hints == {"published": "2025-03-04T08:00:00+01:00"}
    assert first.origin.kind == "jsonl" and first.origin.offset == 1
    assert (second.format, second.content, second.origin.offset) == ("text", "Body text.", 4)
    assert second.hints == {"title": "T", "authors": ["Ann Lee"]}
    bad = [r for r in results if isinstance(r, BadInput)]
    assert [b.origin.offset for b in bad] == [3, 5, 6, 7]
    assert [b.reason for b in bad] == [
        "invalid JSON", "line is not a JSON object", "needs a non-empty 'html' or 'text' string",
        "'url' is not a string"]
    assert bad[0].excerpt.startswith("Expecting property name") and bad[0].excerpt.endswith("| {not json")
    assert bad[1].excerpt == '["a", "list"]'
    assert bad[0].origin.label() == f"{path}@3"


def test_jsonl_overlong_line_is_skipped_not_loaded(tmp_path, monkeypatch):
    from newsledger.ingest import jsonl

    monkeypatch.setattr(jsonl, "MAX_PAGE_BYTES", 100)
    path = tmp_path / "x.ndjson"
    path.write_text(json.dumps({"text": "y" * 500}) + "\n" + json.dumps({"text": "ok"}) + "\n", encoding="utf-8")
    bad, good = _all(path)
    assert bad.reason == "page larger than 20 MB" and bad.origin.offset == 1
    assert good.content == "ok" and good.origin.offset == 2


def test_directory_is_recursive_sorted_and_skips_noise(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "a.txt").write_text(DUMP_A, encoding="utf-8")
    (tmp_path / "c_no_extension").write_text(PAGE, encoding="utf-8")
    (tmp_path / "style.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / ".hidden.html").write_text(PAGE, encoding="utf-8")
    stats = ReadStats()
    docs = _all(tmp_path, stats=stats)
    assert [(Path(d.origin.path).name, d.format) for d in docs] == [
        ("a.txt", "dump"), ("page.html", "html"), ("c_no_extension", "html")]
    assert stats.skipped == {"file:not-a-page": 1, "file:unknown-format": 1}
    assert count_inputs([str(tmp_path)]) == 4  # css and hidden files are never opened


def test_unknown_file_named_explicitly_is_bad_input(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\x00\x01\x02\x03" * 100)
    (bad,) = _all(path)
    assert bad.reason == "unknown format"


def test_sniffed_dump_without_extension(tmp_path):
    path = tmp_path / "export"
    path.write_text(DUMP_A + DUMP_B, encoding="utf-8")
    assert [d.url for d in _all(path)] == ["https://northwind.example/a", "https://northwind.example/b"]


def test_missing_path_raises_before_reading(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("text", encoding="utf-8")
    with pytest.raises(InputError, match="no such file or directory: .*nope"):
        read([str(good), str(tmp_path / "nope")])


def test_count_inputs(tmp_path):
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    assert count_inputs([str(tmp_path / "a.html"), str(tmp_path)]) == 2
    assert count_inputs(["https://northwind.example/feed"]) is None


def test_sniff_helpers():
    assert base.root_element('<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x [<!ENTITY a "b">]>\n<rdf:RDF>') == "rdf"
    assert base.root_element("<urlset xmlns='x'>") == "urlset"
    assert base.head_text(b"\x00\x01binary")[0] is None
    assert base.head_text("<p>é</p>".encode("utf-16-be")) == ("<p>é</p>", "utf-16-be")


def test_xml_file_that_is_neither_feed_nor_sitemap(tmp_path):
    (tmp_path / "data.xml").write_text('<?xml version="1.0"?><inventory><item/></inventory>', encoding="utf-8")
    (tmp_path / "page.xml").write_text('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                                       "<body><p>Hi</p></body></html>", encoding="utf-8")
    bad, page = _all(tmp_path / "data.xml", tmp_path / "page.xml")
    assert bad.reason == "unknown format: XML root <inventory>"
    assert page.format == "html" and page.origin.kind == "html"


def test_unexpected_reader_error_ends_that_input_only(tmp_path, monkeypatch):
    import newsledger.ingest as ingest

    def broken(path):
        yield RawDocument(origin=ingest.Origin("html", path), format="html", content=b"<p>x</p>")
        raise RuntimeError("parser tripped")

    monkeypatch.setattr(ingest.html_files, "read_html_file", broken)  # what the registered html reader calls
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("plain words", encoding="utf-8")
    stats = ReadStats()
    results = _all(tmp_path / "a.html", tmp_path / "b.txt", stats=stats)
    assert [type(r).__name__ for r in results] == ["RawDocument", "BadInput", "RawDocument"]
    assert results[1].reason == "unexpected error: RuntimeError: parser tripped"
    assert (stats.documents, stats.bad) == (2, 1)


DEV_HTML = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "extraction-dev" / "html"


@pytest.mark.skipif(not DEV_HTML.is_dir(), reason="shared dev data not present")
def test_dev_pages_all_read():
    stats = ReadStats()
    results = list(read([str(DEV_HTML)], stats=stats))
    assert stats.bad == 0 and stats.documents == stats.files == len(results) == count_inputs([str(DEV_HTML)])
    assert all(r.format == "html" and r.content.lstrip()[:1] == b"<" for r in results)


def test_random_bytes_never_raise(tmp_path):
    import random

    rng = random.Random(7)
    names = ["x.html", "x.html.gz", "x.txt", "x.jsonl", "x.xml", "x.rss", "x.warc", "x.warc.gz", "x.bin"]
    paths = []
    for i in range(60):
        size = rng.choice([1, 10, 300, 5000])
        prefix = rng.choice([b"", b"\x1f\x8b", b"WARC/1.0\r\n", b"<rss>", b"<html>", b"{", b" date 2025-01-01 x\n"])
        path = tmp_path / f"{i}-{names[i % len(names)]}"
        path.write_bytes(prefix + rng.randbytes(size))
        paths.append(str(path))
    results = list(read(paths, fetch_options=FOLLOW_NOTHING))
    assert all(isinstance(r, (RawDocument, BadInput)) for r in results)
    assert not any(r.reason.startswith("unexpected error") for r in results if isinstance(r, BadInput))


def test_big_dump_file_is_streamed_in_blocks(tmp_path, monkeypatch):
    from newsledger.ingest import dumps

    monkeypatch.setattr(dumps, "MAX_PAGE_BYTES", 400)
    monkeypatch.setattr(dumps, "DUMP_BLOCK_BYTES", 250)
    pages = [f" date 2025-03-{d:02d} https://northwind.example/{d}\nHeadline {d}\nBody line {d}.\n" for d in range(1, 11)]
    giant = " date 2025-04-01 https://northwind.example/giant\n" + "filler line\n" * 60
    path = tmp_path / "many.txt"
    path.write_text("".join(pages[:5]) + giant + "".join(pages[5:]), encoding="utf-8")
    results = list(read([str(path)]))
    assert [getattr(r, "url", None) for r in results] == [f"https://northwind.example/{d}" for d in range(1, 6)] + [
        None] + [f"https://northwind.example/{d}" for d in range(6, 11)]
    assert [r.origin.offset for r in results] == list(range(11))
    assert results[5].reason.startswith("page larger than")
    assert results[7].content == pages[6].rstrip("\n")
