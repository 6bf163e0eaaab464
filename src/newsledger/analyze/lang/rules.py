"""Span repairs over model or rule NER output, following factRuEval's span conventions.

A mention includes the common noun that introduces it ("реку Нарву", "мэрии Москвы",
"завода «ЗАЗ»"), and an organisation's name includes the place it belongs to
("Конгресса США"); the inner place stays a mention of its own. The nouns are data
(``data/<lang>/ner_rules.json``).
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

from . import common

QUOTES_OPEN = "«\"„“‹'"
QUOTES_CLOSE = "»\"“”›'"


@lru_cache(maxsize=None)
def _lexicon(lang: str) -> tuple[frozenset, frozenset]:
    d = common.data_file(lang, "ner_rules.json")
    return frozenset(d["loc_descriptors"]), frozenset(d["org_descriptors"])


@lru_cache(maxsize=None)
def _streets(lang: str) -> frozenset:
    return frozenset(common.data_file(lang, "ner_rules.json").get("street_descriptors", ()))


def _lemma(lang: str, word: str) -> str:
    return common.pymorphy_features(lang, word)[2]


def _is_adj(lang: str, word: str) -> bool:
    """A full adjective or participle (a short form such as "способен" is a predicate, not part of a name)."""
    if not word.islower():
        return False
    p = common.best_parse(lang, word)
    return p is not None and p.tag.POS in ("ADJF", "PRTF")


def _geox(lang: str, word: str) -> bool:
    """The dictionary's most likely reading is a toponym (pymorphy3's Geox), not a person's name."""
    ps = common.morph_analyzer(lang).parse(word)
    return bool(ps) and "Geox" in ps[0].tag.grammemes and not ({"Name", "Surn", "Patr"} & set(ps[0].tag.grammemes))


def _gazetteer_town(word: str) -> bool:
    from .places import gazetteer_place, stems

    for name in (word, *stems(word)):
        c = gazetteer_place(name)
        if c is not None and c.feature == "city" and c.country_code in ("UA", "RU", "BY"):
            return True
    return False


def _toponyms(lang, text, toks, words, ents):
    """Towns the model missed or called an organisation ("ВСУ отбили Купянск", "займут Покровск")."""
    out = []
    inside = set()
    for s, e, t in ents:
        if t in ("ORG", "PER") and " " not in text[s:e] and text[s:e].isalpha() and not text[s:e].isupper() and (
            _geox(lang, text[s:e]) or t == "ORG" and _gazetteer_town(text[s:e])
        ):
            t = "LOC"
        out.append((s, e, t))
        inside.update(range(s, e))
    for i, (s, e) in enumerate(toks):
        w = words[i]
        if s in inside or i == 0 or not w[:1].isupper() or not w.isalpha() or w.isupper() or len(w) < 4:
            continue
        if words[i - 1] in ".!?…\n" or not words[i - 1][:1].islower():
            continue  # sentence-initial or part of a longer capitalised name
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt[:1].isupper():
            continue
        if _geox(lang, w) or _gazetteer_town(w):
            out.append((s, e, "LOC"))
    return out


def repair(lang, text, toks, words, pos, ents, sent_starts=()):
    """Return (start, end, type) mentions, nested ones included (the caller keeps the longest in doc.ents)."""
    sent_first = set(sent_starts)
    loc_descr, org_descr = _lexicon(lang)
    starts = [s for s, _ in toks]
    ends = [e for _, e in toks]

    def tok_at(char: int) -> int:
        return bisect_left(starts, char)

    def tok_ending(char: int) -> int:
        return bisect_left(ends, char)

    def adjectives_before(i: int) -> int:
        # An organisation's name takes its adjectives, capitalised ones included (Верховный суд);
        # a place's does not (пограничную реку Нарву -> реку Нарву).
        while i > 0 and _is_adj(lang, words[i - 1].lower()) and words[i - 1][:1].isalpha():
            i -= 1
        return i

    not_names = frozenset(common.data_file(lang, "ner_rules.json").get("not_names", ()))
    out = set()
    for s, e, t in _toponyms(lang, text, toks, words, ents):
        if text[s:e].lower() in not_names:
            continue
        # "Союз координационных советов (СКС)": the name and its abbreviation are two mentions.
        cut = text.find(" (", s, e)
        if cut > s:
            out.add((s, cut, t))
            inner = cut + 2
            close = text.find(")", inner, e + 1)
            if close < 0:
                close = e
            if close > inner:
                out.add((inner, close, t))
            continue
        out.add((s, e, t))
    # Adjacent same-type person spans split by the model ("Хвана" + "Чжан Епа").
    merged = sorted(out)
    for (s1, e1, t1), (s2, e2, t2) in zip(merged, merged[1:]):
        if t1 == t2 == "PER" and text[e1:s2] == " " and " " not in text[s1:e1]:
            out.discard((s1, e1, t1))
            out.discard((s2, e2, t2))
            out.add((s1, e2, "PER"))
    for s, e, t in sorted(out):
        i = tok_at(s)
        if i >= len(toks) or starts[i] != s or i == 0:
            continue
        prev = words[i - 1]
        if i - 1 in sent_first and prev[:1].isupper() and _lemma(lang, prev.lower()) in org_descr and t == "ORG":
            out.discard((s, e, t))  # a sentence opening with its descriptor: "Компания Hewlett-Packard"
            out.add((starts[i - 1], e, "ORG"))
            continue
        if prev == "." and i > 1 and words[i - 2].lower() in _streets(lang) and t in ("PER", "LOC"):
            out.discard((s, e, t))
            out.add((starts[i - 2], e, "LOC"))
            continue
        if not prev.islower():
            # A name in quotes after its descriptor: завода «ЗАЗ».
            if prev in QUOTES_OPEN and i > 1 and words[i - 2].islower() and _lemma(lang, words[i - 2]) in org_descr and \
                    common.data_file(lang, "ner_rules.json").get("lowercase_descriptor_in_span", True):
                j = tok_ending(e)
                end = ends[j + 1] if j + 1 < len(toks) and words[j + 1] in QUOTES_CLOSE else e
                out.add((starts[adjectives_before(i - 2)], end, "ORG"))
                if t == "ORG":
                    out.discard((s, e, t))
            continue
        lemma = _lemma(lang, prev)
        if not common.data_file(lang, "ner_rules.json").get("lowercase_descriptor_in_span", True) and lemma in org_descr:
            continue
        # "вулиці Коновальця", "вул. Шевченка": a street named after a person is a place.
        if t in ("PER", "LOC") and lemma in _streets(lang):
            out.discard((s, e, t))
            out.add((starts[i - 1], e, "LOC"))
            continue
        if t == "LOC" and lemma in loc_descr:
            out.discard((s, e, t))
            out.add((starts[i - 1], e, "LOC"))
        elif t in ("LOC", "ORG") and lemma in org_descr:
            if t == "ORG":
                out.discard((s, e, t))
            out.add((starts[adjectives_before(i - 1)], e, "ORG"))
    # Initials belong to the name: "О. М. Бутлеров", "А . Кекуле" (tokenised text spaces the dots).
    for s, e, t in sorted(out):
        if t != "PER":
            continue
        i = tok_at(s)
        if i >= len(toks) or starts[i] != s:
            continue
        k = i
        while k >= 2 and words[k - 1] == "." and len(words[k - 2]) == 1 and words[k - 2].isupper():
            k -= 2
        if k < i:
            out.discard((s, e, t))
            out.add((starts[k], e, "PER"))
    # An organisation followed by the place it belongs to: Конгресса США, Верховный суд Бангладеша.
    locs = {s: (s, e) for s, e, t in out if t == "LOC"}
    for s, e, t in sorted(out):
        if t != "ORG":
            continue
        j = tok_ending(e)
        if j + 1 < len(toks) and ends[j] == e and starts[j + 1] == e + 1 and text[e] == " " and (e + 1) in locs:
            out.discard((s, e, t))
            out.add((s, locs[e + 1][1], "ORG"))
    return sorted(out)
