"""Hostile input through the readers and extractors (``run.extract_only``).

Properties, for every generator in ``hostile``: nothing raises, a bad input
becomes a BadInput whose reason names the problem (never the safety net's
"unexpected error" / "extractor failed"), good pages in the same file or the
same batch still come through, and each input costs bounded CPU time.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
from newsledger.ingest import FetchOptions, base, read
from newsledger.ingest.dates import iso_date, iso_from_struct
from newsledger.run import extract_only
from newsledger.schema import Article, BadInput, RawDocument

# NEWSLEDGER_FUZZ_LONG=1 for a long run; `make test` gets the short one.
LONG = bool(os.environ.get("NEWSLEDGER_FUZZ_LONG"))
FUZZ = settings(max_examples=1000 if LONG else 30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
# Reasons that mean a reader or extractor failed in a way nobody planned for.
SAFETY_NET = ("unexpected error", "extractor failed")
SECONDS_PER_INPUT = 5.0
# Feed items would otherwise be fetched: the fuzz runs stay offline.
OFFLINE = FetchOptions(follow_links=False)


def _run(tmp_path: Path, case: hostile.Case) -> list:
    path = tmp_path / case.name
    path.write_bytes(case.data)
    started = time.process_time()
    out = list(extract_only([str(path)], fetch_options=OFFLINE))
    assert time.process_time() - started < SECONDS_PER_INPUT, case.kind
    path.unlink()
    return out


def _check(case: hostile.Case, out: list) -> None:
    reasons = [o.reason for o in out if isinstance(o, BadInput)]
    urls = {o.canonical_url or o.url for o in out if isinstance(o, Article)}
    assert all(isinstance(o, (Article, BadInput)) for o in out)
    assert all(r and not r.startswith(SAFETY_NET) for r in reasons), reasons
    if case.reason is not None:
        assert any(case.reason in r for r in reasons), (case.kind, reasons)
    assert set(case.good_urls) <= urls, (case.kind, reasons)
    for art in out:
        if isinstance(art, Article):
            art.text.encode("utf-8")  # no lone surrogates reach the analyzer or the store
            assert art.published is None or 1800 <= int(art.published[:4]) <= 2100, art.published


@FUZZ
@given(gen=st.sampled_from(hostile.GENERATORS), seed=st.integers(0, 10**6))
def test_every_hostile_case_is_quarantined_or_read(tmp_path, gen, seed):
    case = gen(seed)
    _check(case, _run(tmp_path, case))


@pytest.mark.parametrize("gen", hostile.COSTLY, ids=lambda g: g.__name__)
def test_costly_cases_stay_bounded(tmp_path, gen):
    case = gen(3)
    _check(case, _run(tmp_path, case))


def test_50_mb_page_quarantined_without_parsing(tmp_path):
    case = hostile.huge_page(1)
    assert len(case.data) >= 50 * 1024 * 1024
    out = _run(tmp_path, case)
    assert [(type(o), o.reason) for o in out] == [(BadInput, "page larger than 20 MB")]


_EXTENSIONS = (".html", ".html.gz", ".htm", ".txt", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz", ".rss", ".xml", "")


@FUZZ
@given(data=st.binary(max_size=4096), ext=st.sampled_from(_EXTENSIONS))
def test_random_bytes_under_any_name(tmp_path, data, ext):
    case = hostile.Case("binary data", f"blob{ext}", data, None)
    _check(case, _run(tmp_path, case))


@FUZZ
@given(index=st.integers(0, 10**6), cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)),
                                                                            max_size=12))
def test_truncated_and_corrupted_good_inputs(tmp_path, index, cut, flips):
    good = hostile.good_case(index)
    data = bytearray(good.data[: int(len(good.data) * cut) or None])
    for where, value in flips:
        if data:
            data[int(where * (len(data) - 1))] = value
    case = hostile.Case("mutated", good.name, bytes(data), None)
    _check(case, _run(tmp_path, case))


@settings(max_examples=200 if LONG else 10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.sampled_from(hostile.GENERATORS), st.integers(0, 10**6)), min_size=2, max_size=6),
       goods=st.lists(st.integers(0, 10**6), min_size=1, max_size=3, unique=True))
def test_good_pages_survive_a_batch_of_bad_ones(tmp_path, picks, goods):
    """One ``read`` over several files: bad files never cost a good one."""
    batch = tmp_path / "batch"
    batch.mkdir(exist_ok=True)
    for f in batch.iterdir():
        f.unlink()
    cases = [gen(seed) for gen, seed in picks] + [hostile.good_case(g) for g in goods]
    paths = []
    for n, case in enumerate(cases):
        paths.append(batch / f"{n:02d}-{case.name}")
        paths[-1].write_bytes(case.data)
    out = list(extract_only([str(p) for p in paths], fetch_options=OFFLINE))
    urls = {o.canonical_url or o.url for o in out if isinstance(o, Article)}
    for case in cases:
        assert set(case.good_urls) <= urls, case.kind
    labels = [o.origin.path for o in out if isinstance(o, BadInput)]
    for path, case in zip(paths, cases):
        if case.reason is not None:
            assert str(path) in labels, case.kind


# ---------------------------------------------------------------- regressions for bugs found by fuzzing


@pytest.mark.parametrize("text, expected", [
    ("2025-05-06T09:30:00+02:00", "2025-05-06T09:30:00+02:00"),
    ("Tue, 06 May 2025 09:30:00 +0200", "2025-05-06T09:30:00+02:00"),
    ("2025-05-06", "2025-05-06"),
    ("2203-01-01T00:00:00Z", None),  # implausible year
    ("-0001-01-01", None),
    ("0001-01-01T00:00:00+14:00", None),
    ("0000-00-00", None),
    ("yesterday", None),
    ("1e20", None),
    ("12", None),  # dateutil would fill month and year from today
    ("2025", None),
    ("May 2025", None),
    ("2025-05-06T09:30:00+25:00", None),  # offset of more than a day
    ("9" * 120, None),
])
def test_iso_date_keeps_only_full_plausible_dates(text, expected):
    assert iso_date(text) == expected


def test_iso_from_struct_survives_year_minus_one():
    assert iso_from_struct(time.struct_time((-1, 1, 1, 0, 0, 0, 0, 1, 0))) is None
    assert iso_from_struct(time.struct_time((2025, 5, 6, 7, 0, 0, 0, 1, 0))) == "2025-05-06T07:00:00+00:00"


def test_feed_with_year_minus_one_keeps_every_item(tmp_path):
    pages = [hostile.good_page(k) for k in range(2)]
    path = tmp_path / "f.rss"
    path.write_bytes(hostile._rss([hostile._rss_item(pages[0], "-0001-01-01"), hostile._rss_item(pages[1], "12")]))
    docs = list(read([str(path)], fetch_options=OFFLINE))
    assert [(type(d), d.url, d.hints.get("published")) for d in docs] == [
        (RawDocument, pages[0].url, None), (RawDocument, pages[1].url, None)]


def test_jsonl_drops_unusable_published_hints(tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [{"url": f"https://a.example/{k}", "text": "Body.", "published": p}
             for k, p in enumerate(["yesterday", "2203-01-01", "2025-05-06T09:30:00+02:00"])]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert [d.hints for d in read([str(path)])] == [{}, {}, {"published": "2025-05-06T09:30:00+02:00"}]


def test_jsonl_lone_surrogate_escape_does_not_end_the_file(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"url": "https://a.example/1", "html": "<p>Mara \\ud800 Velde</p>", "title": "\\udfff T"}\n'
                     b'{"url": "https://a.example/2", "text": "Still read."}\n')
    docs = list(read([str(path)], fetch_options=OFFLINE))
    assert [(d.url, d.content, d.hints) for d in docs] == [
        ("https://a.example/1", "<p>Mara \ufffd Velde</p>".encode(), {"title": "\ufffd T"}),
        ("https://a.example/2", "Still read.", {}),
    ]


@pytest.mark.parametrize("ref", ["&#xd800;", "&#55296;", "&#x110000;", "&#99999999999;"])
def test_feed_with_impossible_character_reference_keeps_every_item(tmp_path, ref):
    pages = [hostile.good_page(k) for k in range(2)]
    items = [hostile._rss_item(p, "Tue, 06 May 2025 09:30:00 +0200") for p in pages]
    items[0] = items[0].replace("</title>", ref + "</title>", 1)
    path = tmp_path / "f.rss"
    path.write_bytes(hostile._rss(items))
    docs = list(read([str(path)], fetch_options=OFFLINE))
    assert [(type(d), d.url) for d in docs] == [(RawDocument, p.url) for p in pages]
    assert docs[0].hints["title"] == pages[0].title + "\ufffd"


def test_truncated_gzip_jsonl_keeps_lines_before_the_cut(tmp_path):
    pages = [hostile.good_page(k) for k in range(3)]
    data = gzip.compress(b"".join(hostile._jsonl_line(p) for p in pages), mtime=0)
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(data[:-9])
    out = list(read([str(path)]))
    assert [d.url for d in out if isinstance(d, RawDocument)] == [p.url for p in pages]
    assert [(b.origin.offset, b.reason.split(":")[0]) for b in out if isinstance(b, BadInput)] == [(4, "cannot read file")]


def test_generators_are_deterministic():
    gen = random.Random(5).choice(hostile.GENERATORS)
    assert gen(11) == gen(11)


def test_stray_nul_in_page_head_is_not_binary():
    assert base.head_text(b'<html><head><meta name="date" content="\x00\x00"></head>')[0] is not None
    assert base.head_text(b"<html>" + b"\x00" * 17)[0] is None
    assert base.head_text(b"\x00\x00 no markup here")[0] is None


def test_dump_page_with_nul_bytes_costs_only_that_page(tmp_path):
    page = hostile.good_page(4)
    path = tmp_path / "d.txt"
    path.write_bytes((hostile.dump_text(page) + "date 2025-05-07 https://n.example/z\n" + "\x00" * 10 + "\n").encode())
    out = list(extract_only([str(path)], fetch_options=OFFLINE))
    assert [(type(o).__name__, getattr(o, "url", None), getattr(o, "reason", None)) for o in out] == [
        ("Article", page.url, None), ("BadInput", None, "dump: no body paragraphs")]


def test_feed_with_undecodable_encoding_name_is_quarantined(tmp_path):
    path = tmp_path / "f.rss"
    path.write_bytes(hostile.bad_xml_encoding_feed(0).data)
    out = list(read([str(path)], fetch_options=OFFLINE))
    assert [(type(o), o.reason) for o in out] == [(BadInput, "unreadable feed: UnicodeDecodeError")]


def test_feed_with_unknown_encoding_name_is_still_read(tmp_path):
    path = tmp_path / "f.rss"
    path.write_bytes(hostile.bad_xml_encoding_feed(1).data)
    assert [d.url for d in read([str(path)], fetch_options=OFFLINE)] == [hostile.good_page(1).url]
