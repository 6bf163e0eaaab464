"""Russian and Ukrainian analysis: a spaCy Doc per article, built from packaged models and rules.

Each language module exposes ``make_doc(text) -> spacy.tokens.Doc`` with
sentences, coarse POS, morphology, lemmas and ``doc.ents`` labelled like the
English model (PERSON, ORG, GPE, LOC), so the shared components read the same
structure whatever the language. Models load on the first article of their
language only: an English-only run never pays for them.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

SUPPORTED = ("ru", "uk")


@lru_cache(maxsize=None)
def module(lang: str):
    if lang not in SUPPORTED:
        raise ValueError(f"no pipeline for language {lang!r}; supported: en, {', '.join(SUPPORTED)}")
    return importlib.import_module(f"{__package__}.{lang}")


def make_doc(lang: str, text: str):
    return module(lang).make_doc(text)
