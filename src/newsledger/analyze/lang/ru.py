"""Russian: razdel tokens and sentences, slovnet NER (weights shipped in the natasha
wheel, read with slovnet/navec directly so natasha's pymorphy2 import never runs), pymorphy3 morphology,
then rule repairs for factRuEval-style spans."""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache

from . import common, rules

LANG = "ru"
NER_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


def _natasha_data() -> str:
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "Russian analysis needs the natasha, slovnet, navec, razdel and pymorphy3 packages: "
            "run `make setup` (they are in requirements.lock)"
        )
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


@lru_cache(maxsize=1)
def models():
    from navec import Navec
    from slovnet import NER

    base = _natasha_data()
    navec = Navec.load(os.path.join(base, "emb", "navec_news_v1_1B_250K_300d_100q.tar"))
    ner = NER.load(os.path.join(base, "model", "slovnet_ner_news_v1.tar"))
    ner.navec(navec)
    return ner


def natasha_spans(text: str) -> list[tuple[int, int, str]]:
    """slovnet's NER alone: (start, end, PER|LOC|ORG)."""
    ner = models()
    return [(off + s.start, off + s.stop, s.type) for off, part in _chunks(text) for s in ner(part).spans]


def _chunks(text: str, limit: int = 20000):
    # slovnet pads a whole input into one array: bound its memory with paragraph-aligned blocks.
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def make_doc(text: str):
    toks, sent_starts = common.tokenize(text)
    words = [text[s:e] for s, e in toks]
    # pymorphy3's most likely parse, not slovnet's contextual tagger: the tagger would cost
    # four times the NER, and the components only need coarse POS, case and lemmas.
    pos, feats, lemmas = common.features(LANG, words)
    ents = rules.repair(LANG, text, toks, words, pos, natasha_spans(text), sent_starts)
    return common.assemble(LANG, text, toks, sent_starts, pos, feats, lemmas,
                           [(s, e, NER_LABELS[t]) for s, e, t in ents if t in NER_LABELS])
