"""Stage 2: raw document -> Article.

``extract(raw)`` dispatches on ``raw.format`` to the format's extractor, then
finishes the record the same way for every format (id, language, source).
"""

from __future__ import annotations

from ..schema import Article, RawDocument


class ExtractError(Exception):
    """The raw document holds no usable article; the message is the quarantine reason."""


def extract(raw: RawDocument) -> Article:
    from . import common

    if raw.format == "html":
        from .html import extract_html as fn
    elif raw.format == "dump":
        from .dump import extract_dump as fn
    elif raw.format == "text":
        from .text import extract_text as fn
    else:
        raise ExtractError(f"unknown raw format {raw.format!r}")
    return common.finish(fn(raw), raw)
