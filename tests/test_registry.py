"""Readers register themselves: a new input format is one module plus its ``@reader``."""

from __future__ import annotations

from newsledger.ingest import ReadStats, read, registry
from newsledger.schema import Origin, RawDocument


def test_every_bundled_reader_is_registered_in_order():
    assert [r.name for r in registry.READERS][:5] == ["warc", "html", "page-dump", "jsonl", "xml"]
    assert registry.for_path("a/b.warc.gz").name == "warc" and registry.for_path("x.unknown") is None


def test_a_new_reader_is_one_registration(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "READERS", list(registry.READERS))

    @registry.reader("note", claims=lambda path: path.endswith(".note"), order=5)
    def read_note(path, ctx):
        yield RawDocument(origin=Origin("text", path), format="html",
                          content=b"<p>" + open(path, "rb").read() + b"</p>")

    (tmp_path / "memo.note").write_text("Harbour council meets on Friday.", encoding="utf-8")
    stats = ReadStats()
    (doc,) = list(read([str(tmp_path / "memo.note")], stats=stats))
    assert doc.content == b"<p>Harbour council meets on Friday.</p>" and stats.files == 1
