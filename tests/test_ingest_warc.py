"""WARC reader: record selection, counts, offsets and damaged archives."""

from __future__ import annotations

from io import BytesIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsledger.ingest import ReadStats, read
from newsledger.schema import BadInput, RawDocument

PAGE1 = b"<html><head><title>Quay</title></head><body><p>The quay was rebuilt, Ivo Brand said.</p></body></html>"
PAGE2 = "<html><body><p>Caf\u00e9 owners in Harwick welcomed the decision.</p></body></html>".encode("cp1252")


def _response(writer, uri, body, *, status="200 OK", ctype="text/html; charset=utf-8", date=None):
    http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    headers = {"WARC-Date": date} if date else None
    return writer.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=http,
                                     warc_headers_dict=headers)


def _archive(gzip: bool, starts: list[int] | None = None) -> tuple[bytes, list[int], list[str]]:
    """An archive mixing page responses with records that are not pages; returns
    (bytes, offsets of the two pages, their record ids); ``starts`` receives
    every record's offset."""
    buf = BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    offsets, ids = [], []

    def write(record, keep=False):
        if starts is not None:
            starts.append(buf.tell())
        if keep:
            offsets.append(buf.tell())
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(record)

    write(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    req = StatusAndHeaders("GET /quay HTTP/1.1", [("Host", "harwick.example")], is_http_request=True)
    write(writer.create_warc_record("https://harwick.example/quay", "request", http_headers=req))
    write(_response(writer, "https://harwick.example/quay", PAGE1, date="2025-05-06T07:08:09Z"), keep=True)
    write(writer.create_warc_record("https://harwick.example/quay", "metadata",
                                    payload=BytesIO(b"outlinks: none"), warc_content_type="text/plain"))
    write(_response(writer, "https://harwick.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), ctype="image/png"))
    write(_response(writer, "https://harwick.example/old", b"", status="301 Moved Permanently"))
    write(_response(writer, "https://harwick.example/cafe", PAGE2, ctype="text/html; charset=windows-1252",
                    date="2025-05-06T07:09:00Z"), keep=True)
    write(_response(writer, "https://harwick.example/style.css", b"p{}", ctype="text/css"))
    return buf.getvalue(), offsets, ids


def _check_full(results, stats, path, offsets, ids):
    assert all(isinstance(r, RawDocument) for r in results)
    assert [r.url for r in results] == ["https://harwick.example/quay", "https://harwick.example/cafe"]
    assert [r.content for r in results] == [PAGE1, PAGE2]
    assert [r.fetched for r in results] == ["2025-05-06T07:08:09Z", "2025-05-06T07:09:00Z"]
    assert [r.charset for r in results] == ["utf-8", "windows-1252"]
    assert [r.origin.offset for r in results] == offsets
    assert [r.origin.item for r in results] == ids
    assert {r.origin.kind for r in results} == {"warc"} and {r.origin.path for r in results} == {path}
    assert stats.skipped == {"warc:warcinfo": 1, "warc:request": 1, "warc:metadata": 1,
                             "warc:non-html": 2, "warc:non-200": 1}
    assert (stats.documents, stats.bad) == (2, 0)


def test_plain_warc(tmp_path):
    data, offsets, ids = _archive(gzip=False)
    path = tmp_path / "crawl.warc"
    path.write_bytes(data)
    stats = ReadStats()
    _check_full(list(read([str(path)], stats=stats)), stats, str(path), offsets, ids)


def test_gzip_warc_offsets_point_at_records(tmp_path):
    data, offsets, ids = _archive(gzip=True)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data)
    stats = ReadStats()
    results = list(read([str(path)], stats=stats))
    _check_full(results, stats, str(path), offsets, ids)
    # each offset starts a gzip member holding exactly that record
    from warcio.archiveiterator import ArchiveIterator

    record = next(iter(ArchiveIterator(BytesIO(data[offsets[1]:]))))
    assert record.rec_headers.get_header("WARC-Record-ID") == ids[1]


def test_truncated_gzip_warc_keeps_records_before_damage(tmp_path):
    data, offsets, ids = _archive(gzip=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: offsets[1] + 60])  # cut inside the second page's record
    stats = ReadStats()
    results = list(read([str(path)], stats=stats))
    assert [type(r).__name__ for r in results] == ["RawDocument", "BadInput"]
    assert results[0].content == PAGE1
    bad = results[1]
    assert bad.reason.startswith("damaged WARC")
    assert bad.origin.offset == offsets[1]
    assert (stats.documents, stats.bad) == (1, 1)


def test_truncated_plain_warc_never_raises(tmp_path):
    data, offsets, _ = _archive(gzip=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: offsets[1] + 400])
    results = list(read([str(path)]))
    assert isinstance(results[0], RawDocument) and results[0].content == PAGE1
    assert isinstance(results[-1], BadInput) and results[-1].origin.offset == offsets[1]


def test_garbage_named_warc(tmp_path):
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(b"this is not an archive at all\n" * 3)
    (bad,) = list(read([str(path)]))
    assert isinstance(bad, BadInput) and bad.reason.startswith("damaged WARC")


def test_warc_sniffed_without_extension(tmp_path):
    data, offsets, _ = _archive(gzip=True)
    path = tmp_path / "crawl-0001"
    path.write_bytes(data)
    assert [r.origin.offset for r in read([str(path)])] == offsets


def test_every_cut_point_yields_only_whole_pages_then_one_bad_input(tmp_path):
    for gzip in (True, False):
        starts: list[int] = []
        data, _, _ = _archive(gzip=gzip, starts=starts)
        # A cut between records leaves a valid, shorter archive (in a plain
        # WARC the blank lines that close a record are optional to a reader).
        clean = {b - k for b in starts[1:] for k in range(1 if gzip else 5)}
        path = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
        for cut in range(1, len(data), 13):
            path.write_bytes(data[:cut])
            results = list(read([str(path)]))
            if cut in clean:
                assert not any(isinstance(r, BadInput) for r in results), (gzip, cut)
                continue
            assert results and isinstance(results[-1], BadInput), (gzip, cut)
            docs = results[:-1]
            assert all(isinstance(d, RawDocument) for d in docs)
            assert [d.content for d in docs] == [PAGE1, PAGE2][: len(docs)], (gzip, cut)


def test_whole_file_gzip_warc_is_read_as_one_stream(tmp_path):
    import gzip

    data, offsets, ids = _archive(gzip=False)
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(data))
    stats = ReadStats()
    results = list(read([str(path)], stats=stats))
    # offsets count uncompressed bytes here: the same as in the plain archive
    assert [(r.origin.offset, r.origin.item) for r in results] == list(zip(offsets, ids))
    assert [r.content for r in results] == [PAGE1, PAGE2]
    assert stats.skipped == {"warc:warcinfo": 1, "warc:request": 1, "warc:metadata": 1,
                             "warc:non-html": 2, "warc:non-200": 1}
    path.write_bytes(gzip.compress(data)[:-300])
    cut = list(read([str(path)]))
    assert isinstance(cut[-1], BadInput) and cut[-1].reason == "damaged WARC: gzip stream cut short"


def test_empty_warc(tmp_path):
    path = tmp_path / "empty.warc"
    path.write_bytes(b"")
    (bad,) = list(read([str(path)]))
    assert bad.reason == "damaged WARC: empty file"
