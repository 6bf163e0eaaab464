"""Stage 2: raw document -> Article.

``extract(raw)`` hands ``raw`` to the extractor registered for ``raw.format``
(``@extractor("html")`` in ``extract/html.py``: a new format is one module plus
its decorator, listed in ``EXTRACTORS.modules``, or a plugin's module in the
``newsledger.extractors`` entry point group), then finishes the record the
same way for every format (id, language, source).
"""

from __future__ import annotations

from typing import Callable

from ..registry import Registry, UnknownName
from ..schema import Article, RawDocument

Extractor = Callable[[RawDocument], Article]

# Imported on the first extraction only: reading files never pays for lxml and trafilatura.
EXTRACTORS: Registry[Extractor] = Registry(
    "extractor", group="newsledger.extractors",
    modules=("newsledger.extract.html", "newsledger.extract.dump", "newsledger.extract.text"),
    order=lambda name, _: name,
)


class ExtractError(Exception):
    """The raw document holds no usable article; the message is the quarantine reason."""


def extractor(fmt: str):
    """Register the decorated ``fn(raw) -> Article`` for raw documents of format ``fmt``."""

    def register(fn: Extractor) -> Extractor:
        EXTRACTORS.add(fmt, fn)
        return fn

    return register


def extract(raw: RawDocument) -> Article:
    from . import common

    try:
        fn = EXTRACTORS.get(raw.format)
    except UnknownName:
        raise ExtractError(f"unknown raw format {raw.format!r}") from None
    return common.finish(fn(raw), raw)
