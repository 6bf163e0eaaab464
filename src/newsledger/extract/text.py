"""Plain ``.txt`` input: the file is the body, unchanged but for line endings,
so offsets computed on ``text`` map straight back to the file."""

from __future__ import annotations

from ..schema import Article, RawDocument
from . import extractor
from .encoding import decode


@extractor("text")
def extract_text(raw: RawDocument) -> Article:
    text = raw.content if isinstance(raw.content, str) else decode(raw.content, raw.charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    art = Article(id="", url=raw.url, text=text)
    art.provenance.fields["text"] = "plain-text"
    return art
