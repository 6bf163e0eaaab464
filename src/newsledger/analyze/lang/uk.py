"""Ukrainian: razdel tokens and sentences, pymorphy3's Ukrainian dictionaries for morphology, and a
rule NER (no packaged Ukrainian NER model installs offline): capitalised runs classified by the
dictionary's name grammemes, the gazetteer's Cyrillic names, name lists and suffixes (data/uk/),
with the Russian slovnet model's label as the fallback for words neither knows."""

from __future__ import annotations

import re
from functools import lru_cache

from . import common, rules
from .ru import natasha_spans

LANG = "uk"
NER_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
PERSON_GRAMS = {"Name", "Surn", "Patr"}


@lru_cache(maxsize=1)
def _names():
    d = common.data_file(LANG, "names.json")
    return (frozenset(d["places"]), frozenset(d["orgs"]), tuple(d["place_suffixes"]),
            tuple(d["surname_suffixes"]), frozenset(d["not_names"]))


# A capitalised word opening a sentence is a common word unless it names a place this large
# (Коло, Воля, Дно are towns somewhere too).
INITIAL_PLACE_POP = 50_000


@lru_cache(maxsize=100_000)
def _is_place(lemma: str, strict: bool = False) -> bool:
    if lemma in _names()[0]:
        return True
    from .places import gazetteer_place

    c = gazetteer_place(lemma)
    if c is None:
        return False
    return not strict or c.feature != "city" or (c.population or 0) >= INITIAL_PLACE_POP


@lru_cache(maxsize=50_000)
def _animate(word: str) -> bool:
    return any(p.tag.POS == "NOUN" and "anim" in p.tag.grammemes for p in common.morph_analyzer(LANG).parse(word))


def _big_place(lemma: str) -> bool:
    from .places import gazetteer_place

    c = gazetteer_place(lemma)
    return c is not None and (c.feature != "city" or (c.population or 0) >= BIG_PLACE_POP)


BIG_PLACE_POP = 200_000


def _place_stems(low: str) -> list[str]:
    """The word and its forms without a case ending (Куп'янська -> Куп'янськ), for gazetteer lookups."""
    return [low] + [low[:-k] for k in (1, 2, 3) if len(low) - k >= 4]


@lru_cache(maxsize=200_000)
def classify(word: str, initial: bool) -> str | None:
    """PER, LOC, ORG, or None (not a name) for one capitalised word; ``initial``: it opens a sentence."""
    places, orgs, place_suf, surname_suf, not_names = _names()
    low = word.lower()
    if low in not_names:
        return None
    parses = common.morph_analyzer(LANG).parse(word)
    known = [p for p in parses if type(p.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"]
    nouns = [p for p in known if p.tag.POS == "NOUN"]
    lemmas = {p.normal_form for p in nouns} | {low}
    if low in orgs:
        return "ORG"
    if initial and known and low not in places and not any(
        PERSON_GRAMS & set(p.tag.grammemes) for p in known[:1]
    ) and not (known[0].tag.POS == "NOUN" and {"inan"} <= set(known[0].tag.grammemes) and _is_place(known[0].normal_form, True)):
        return None  # an ordinary word opening a sentence
    # A first name beats a town of the same name (Володимир), not a city (Львові: Lviv, or Lev's).
    if any({"Name", "Patr"} & set(p.tag.grammemes) for p in nouns) and not any(
        _big_place(p.normal_form) for p in nouns if "inan" in p.tag.grammemes
    ):
        return "PER"
    # A place spelled like a name's case form is the place.
    inan = {p.normal_form for p in nouns if "inan" in p.tag.grammemes} | {low}
    if any(_is_place(l, initial) for l in inan if len(l) > 2):
        return "LOC"
    if not any(PERSON_GRAMS & set(p.tag.grammemes) for p in nouns) and any(
        _is_place(st, initial) for st in _place_stems(low)[1:]
    ):
        return "LOC"
    if word.isupper() and len(word) >= 2:
        return "ORG"
    if any(PERSON_GRAMS & set(p.tag.grammemes) for p in nouns):
        if initial and known and not (PERSON_GRAMS & set(known[0].tag.grammemes)):
            return None
        return "PER"
    if initial and known:
        return None  # an ordinary word opening a sentence
    if any(_is_place(l, initial) for l in lemmas if len(l) > 2):
        return "LOC"
    base = min(lemmas, key=len)
    if base.endswith(place_suf):
        return "LOC"
    if not known and low.endswith(surname_suf):
        return "PER"
    if known:
        # A capitalised dictionary word mid-sentence: a name when it is a noun or an adjective of a name.
        return "?" if known[0].tag.POS in ("NOUN", "ADJF") else None
    return "?"


def rule_spans(text: str, toks, words, sent_starts, model: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Capitalised runs, each labelled by its words (people win over places, places over organisations)."""
    starts = set(sent_starts)
    model_at = {}
    for s, e, t in model:
        model_at[s] = t
        model_at.setdefault(-e, t)
    out = []
    i, n = 0, len(toks)
    while i < n:
        w = words[i]
        if not (w[:1].isupper() and any(c.isalpha() for c in w)):
            i += 1
            continue
        j = i
        labels = []
        while j < n and words[j][:1].isupper() and any(c.isalpha() for c in words[j]) and (
            j == i or toks[j][0] - toks[j - 1][1] == 1 and text[toks[j - 1][1]] == " "
        ):
            initial = j in starts or (j > 0 and words[j - 1] in "«\"„“—–-:")
            labels.append(classify(words[j], initial))
            j += 1
        # A place or organisation run straight into a person is two names (України Олексія Руденка).
        for m in range(1, len(labels)):
            if labels[m] == "PER" and labels[m - 1] in ("LOC", "ORG"):
                if labels[m - 1] == "LOC" and _animate(words[i + m - 1]):
                    labels[m - 1] = "PER"  # a first name spelled like a town (Володимир Зеленський)
                    continue
                j = i + m
                labels = labels[:m]
                break
        span_labels = [l for l in labels if l]
        # A sentence-opening common word in front of a name is not part of it.
        k = 0
        while k < len(labels) and labels[k] is None:
            k += 1
        if k < len(labels):
            s, e = toks[i + k][0], toks[j - 1][1]
            real = [l for l in labels[k:] if l and l != "?"]
            if "PER" in real:
                label = "PER"
                # A title or body before the name is not part of it (Генштабу Андрій Ковальов).
                while k < len(labels) - 1 and labels[k] != "PER" and "PER" in labels[k + 1:]:
                    k += 1
                s = toks[i + k][0]
            elif "LOC" in real and "ORG" not in real:
                label = "LOC"
            elif "ORG" in real:
                label = "ORG"
            else:
                label = model_at.get(s) or model_at.get(-e) or None
            if label == "PER" and j - (i + k) > 1 and not any(
                {"Name", "Patr"} & set(p.tag.grammemes)
                for w2 in words[i + k:j] for p in common.morph_analyzer(LANG).parse(w2)
            ):
                from .places import resolve

                cand, _ = resolve(LANG, None, text[s:e])
                if cand is not None:
                    label = "LOC"  # a two-word town in a case form (Часового Яру), not a person
            if label and span_labels:
                out.append((s, e, label))
        i = j
    return out


def make_doc(text: str):
    toks, sent_starts = common.tokenize(text)
    words = [text[s:e] for s, e in toks]
    pos, feats, lemmas = common.features(LANG, words)
    ents = rule_spans(text, toks, words, sent_starts, natasha_spans(text))
    built = descriptor_spans(text, toks, words)
    # A descriptor-built name replaces the runs inside it, except the place or organisation
    # it ends with, which stays a mention of its own (Міністерства фінансів України ⊃ України).
    for bs, be, _ in built:
        ents = [(s, e, t) for s, e, t in ents if not (s < be and bs < e) or (e == be and s > bs and t != "PER")]
    ents = ents + built
    ents = rules.repair(LANG, text, toks, words, pos, ents, sent_starts)
    return common.assemble(LANG, text, toks, sent_starts, pos, feats, lemmas,
                           [(s, e, NER_LABELS[t]) for s, e, t in ents if t in NER_LABELS])


ADJ_ENDING = re.compile(r"(?:ськ|цьк|зьк|нськ|івськ)(?:ий|ого|ому|им|ім|а|ої|ій|ою|у|е|і|их|ими|ої)$")
# Words that make a short quotation speech, not a name («Ми тут», «Так, це правда»).
NOT_IN_NAMES = {"ми", "ви", "я", "він", "вона", "вони", "так", "ні", "не", "це", "тут", "там"}
QUOTE_PAIRS = {"«": "»", "„": "“", "“": "”", "\"": "\""}


def descriptor_spans(text: str, toks, words) -> list[tuple[int, int, str]]:
    """Names built on a descriptor: ТОВ «Сонце», Міністерства фінансів України, Надвірнянського району."""
    loc_descr, org_descr = rules._lexicon(LANG)
    legal = frozenset(common.data_file(LANG, "names.json")["legal_forms"])
    lemma = lambda w: common.pymorphy_features(LANG, w.lower())[2]  # noqa: E731

    def posof(w: str) -> str:
        # Adjectives made from names the dictionary lacks (Алупкинській, Надвірнянського).
        if w[:1].isupper() and ADJ_ENDING.search(w.lower()):
            return "ADJ"
        return common.pymorphy_features(LANG, w.lower())[0]

    out = []
    n = len(toks)
    for i, w in enumerate(words):
        low = w.lower()
        # A legal form or descriptor, then a quoted name.
        abbreviation = w.isupper() and 2 <= len(w) <= 6 and w.isalpha()
        if i + 1 < n and words[i + 1] in QUOTE_PAIRS and (low in legal or abbreviation or lemma(w) in org_descr):
            close = QUOTE_PAIRS[words[i + 1]]
            j = i + 2
            while j < n and j < i + 12 and words[j] != close and words[j] not in ".;!?":
                j += 1
            if j < n and words[j] == close and j > i + 2 and words[i + 2][:1].isupper():
                start = toks[i][0] if (w.isupper() or w[:1].isupper()) else toks[i + 2][0]
                out.append((start, toks[j][1] if start == toks[i][0] else toks[j - 1][1], "ORG"))
            continue
        # A short capitalised name in quotes on its own («Укрзалізниця», «Партнер СВ»): an organisation
        # in news prose (titles of works are rarer there and are not scored as names).
        if w in QUOTE_PAIRS and i + 1 < n and words[i + 1][:1].isupper() and words[i + 1].isalpha() and (
            i == 0 or words[i - 1].lower() not in legal and lemma(words[i - 1]) not in org_descr
            and not (words[i - 1].isupper() and words[i - 1].isalpha())
        ):
            close = QUOTE_PAIRS[w]
            j = i + 1
            while j < n and j <= i + 5 and words[j] != close and words[j] not in ".;!?,:—–":
                j += 1
            if j < n and words[j] == close and j <= i + 5 and not any(
                posof(x) in ("VERB", "PRON") or x.lower() in NOT_IN_NAMES for x in words[i + 1:j]
            ):
                out.append((toks[i + 1][0], toks[j - 1][1], "ORG"))
            continue
        if not w[:1].isupper() or not any(c.isalpha() for c in w) or w.isupper():
            continue
        if i > 0 and words[i - 1][:1].isupper() and any(c.isalpha() for c in words[i - 1]) and not words[i - 1].isupper():
            continue  # inside a run that started earlier
        # Up to four adjectives/nouns from a capitalised word, one of them a descriptor noun.
        j, found, kind = i, None, None
        while j < n and j < i + 5 and posof(words[j]) in ("ADJ", "NOUN", "PROPN") and words[j].isalpha():
            lem = lemma(words[j])
            if j == i and posof(words[j]) != "ADJ" and lem not in org_descr:
                break  # a name opens with its adjectives or its descriptor (not "Речник Генерального штабу")
            if posof(words[j]) != "ADJ" and lem in org_descr:
                found, kind = j, "ORG"
                break
            if posof(words[j]) != "ADJ" and lem in loc_descr and j > i and words[j].islower():
                found, kind = j, "LOC"
                break
            if posof(words[j]) != "ADJ" and j > i:
                break
            j += 1
        if found is None:
            continue
        end = found
        if kind == "ORG":
            # Genitive complements and the place it belongs to: фінансів України.
            k = found + 1
            while k < n and k <= found + 4 and words[k].isalpha() and posof(words[k]) in ("NOUN", "ADJ", "PROPN"):
                if words[k].islower() and "Case=Gen" not in common.pymorphy_features(LANG, words[k])[1]:
                    break
                if not words[k].islower() and classify(words[k], False) not in ("LOC", "ORG"):
                    break
                end = k
                k += 1
        out.append((toks[i][0], toks[end][1], kind))
    return out
