"""Shared mechanism for the Cyrillic pipelines: Doc assembly, nominative names, transliteration keys."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence

DATA = Path(__file__).resolve().parents[2] / "data"
NESTED = "newsledger.nested"


@lru_cache(maxsize=None)
def data_file(lang: str, name: str):
    path = DATA / lang / name
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def blank(lang: str):
    import spacy

    return spacy.blank(lang)


@lru_cache(maxsize=None)
def morph_analyzer(lang: str):
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


def tokenize(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Token offsets and the index of each sentence's first token (razdel's rules, which suit both languages)."""
    from razdel import sentenize, tokenize as rtok

    toks: list[tuple[int, int]] = []
    starts: list[int] = []
    for sent in sentenize(text):
        first = True
        for t in rtok(sent.text):
            s = sent.start + t.start
            e = s + len(t.text)
            # razdel splits at the Ukrainian apostrophe (Куп'янськ, пам’ятник): keep the word whole.
            if toks and not first and s == toks[-1][1] and (
                text[s] in APOSTROPHES and text[toks[-1][1] - 1].isalpha()
                or text[s - 1] in APOSTROPHES and text[s].isalpha() and toks[-1][1] - toks[-1][0] > 1
            ):
                toks[-1] = (toks[-1][0], e)
                continue
            toks.append((s, e))
            if first:
                starts.append(len(toks) - 1)
                first = False
    return toks, starts


APOSTROPHES = "'’ʼ"


def assemble(lang: str, text: str, toks: Sequence[tuple[int, int]], sent_starts: Iterable[int],
             pos: Sequence[str], morph: Sequence[str], lemma: Sequence[str],
             ents: Iterable[tuple[int, int, str]]):
    """A spaCy Doc whose text is exactly ``text``; whitespace other than one space becomes its own token."""
    from spacy.tokens import Doc, Span

    nlp = blank(lang)
    words, spaces, src = [], [], []

    def gap(between: str) -> None:
        # one space after a token is its trailing whitespace; anything else becomes a token of its own
        if between[:1] == " " and words and not spaces[-1]:
            spaces[-1] = True
            between = between[1:]
        if between:
            words.append(between)
            spaces.append(False)
            src.append(None)

    prev = 0
    for i, (s, e) in enumerate(toks):
        gap(text[prev:s])
        words.append(text[s:e])
        spaces.append(False)
        src.append(i)
        prev = e
    gap(text[prev:])
    starts = set(sent_starts)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    first = True
    for tok, i in zip(doc, src):
        if i is None:
            tok.pos_ = "SPACE"
            tok.is_sent_start = first
            first = False
            continue
        tok.pos_ = pos[i] or "X"
        if morph[i]:
            tok.set_morph(morph[i])
        tok.lemma_ = lemma[i] or tok.text.lower()
        tok.is_sent_start = first or i in starts
        first = False
    # The longest of overlapping mentions go to doc.ents; the ones inside them ("Москвы" in
    # "мэрии Москвы") to doc.spans, where the entities component reads them too.
    spans, nested = [], []
    taken = set()
    for s, e, label in sorted(ents, key=lambda x: (-(x[1] - x[0]), x[0])):
        span = doc.char_span(s, e, label=label, alignment_mode="expand")
        if span is None:
            continue
        if any(j in taken for j in range(span.start, span.end)):
            nested.append(span)
            continue
        taken.update(range(span.start, span.end))
        spans.append(span)
    doc.ents = sorted(spans, key=lambda sp: sp.start)
    doc.spans[NESTED] = sorted(nested, key=lambda sp: sp.start)
    doc.user_data["newsledger.lang"] = lang
    return doc


# ------------------------------------------------------------------ morphology

UPOS = {
    "NOUN": "NOUN", "ADJF": "ADJ", "ADJS": "ADJ", "COMP": "ADJ", "VERB": "VERB", "INFN": "VERB",
    "PRTF": "VERB", "PRTS": "VERB", "GRND": "VERB", "NUMR": "NUM", "ADVB": "ADV", "NPRO": "PRON",
    "PRED": "ADV", "PREP": "ADP", "CONJ": "CCONJ", "PRCL": "PART", "INTJ": "INTJ",
}
_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}


def best_parse(lang: str, word: str):
    parses = morph_analyzer(lang).parse(word)
    return parses[0] if parses else None


def features(lang: str, words: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    out = [pymorphy_features(lang, w) for w in words]
    return [o[0] for o in out], [o[1] for o in out], [o[2] for o in out]


@lru_cache(maxsize=200_000)
def pymorphy_features(lang: str, word: str) -> tuple[str, str, str]:
    """(UPOS, UD-style feats, lemma) of ``word`` by its most likely pymorphy3 parse."""
    if not any(c.isalpha() for c in word):
        return ("PUNCT" if not any(c.isdigit() for c in word) else "NUM"), "", word
    p = best_parse(lang, word)
    if p is None:
        return "X", "", word.lower()
    tag = p.tag
    pos = UPOS.get(tag.POS or "", "X")
    if pos == "NOUN" and (_PROPER & set(tag.grammemes)) and word[:1].isupper():
        pos = "PROPN"
    feats = []
    case = CASES.get(tag.case or "")
    if case:
        feats.append(f"Case={case}")
    if tag.gender in GENDERS:
        feats.append(f"Gender={GENDERS[tag.gender]}")
    if tag.number in ("sing", "plur"):
        feats.append(f"Number={'Sing' if tag.number == 'sing' else 'Plur'}")
    return pos, "|".join(feats), p.normal_form


CASES = {"nomn": "Nom", "gent": "Gen", "datv": "Dat", "accs": "Acc", "ablt": "Ins", "loct": "Loc",
         "voct": "Voc", "gen2": "Gen", "acc2": "Acc", "loc2": "Loc"}
GENDERS = {"masc": "Masc", "femn": "Fem", "neut": "Neut"}


def _match_case(word: str, src: str) -> str:
    if "ё" not in src.lower():  # pymorphy3 restores ё; the source spelling is the name's spelling
        word = word.replace("ё", "е").replace("Ё", "Е")
    if src.isupper() and len(src) > 1:
        return word.upper()
    if src[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _nominative_word(lang: str, word: str, want: set[str], gender: Optional[str]) -> Optional[tuple[str, Optional[str]]]:
    """(nominative form, gender) of one name word, or None when it is not inflected."""
    if "-" in word:
        parts = [_nominative_word(lang, w, want, gender) for w in word.split("-")]
        if all(parts):
            return "-".join(p[0] for p in parts), next((p[1] for p in parts if p[1]), gender)
        return None
    parses = [p for p in morph_analyzer(lang).parse(word) if p.tag.POS in ("NOUN", "ADJF")]
    if not parses:
        return None
    if "Surn" in want and word.lower().endswith(MASC_SURNAME_NOMINATIVE) and not any(
        "Surn" in p.tag.grammemes for p in parses
    ):
        return word, gender or "masc"  # an unknown man's surname as written (Алаудинов), not a plural
    if want:
        pref = [p for p in parses if want & set(p.tag.grammemes)]
        parses = pref or parses
    if gender:
        same = [p for p in parses if p.tag.gender in (gender, None) or "ms-f" in p.tag.grammemes]
        parses = same or parses
    p = parses[0]
    if p.tag.case == "nomn" and p.tag.number != "plur":
        return word, p.tag.gender if p.tag.gender in GENDERS else gender
    grams = {"nomn"}
    if p.tag.number == "sing" or p.tag.POS == "ADJF":
        grams.add(p.tag.number or "sing")
    if gender and p.tag.POS == "ADJF" and p.tag.number != "plur":
        grams.add(gender)
    inf = p.inflect(grams) or p.inflect({"nomn"})
    if inf is None:
        return None
    return _match_case(inf.word, word), (p.tag.gender if p.tag.gender in GENDERS else gender)


def nominative_person(lang: str, name: str) -> str:
    """"Игоря Коротченко" -> "Игорь Коротченко"; gender is read off the first name and kept."""
    words = name.split()
    if not words or not all(w[:1].isupper() for w in words if w[:1].isalpha()):
        return name
    out, gender, oblique = [], None, False
    for i, w in enumerate(words):
        want = {"Name"} if i == 0 and len(words) > 1 else ({"Patr"} if i == 1 and len(words) == 3 else {"Surn"})
        if len(w) <= 2 or w.endswith("."):  # initials
            out.append(w)
            continue
        r = _nominative_word(lang, w, want, gender)
        if i == 0 and r is not None and r[0] != w:
            oblique = True
        if r is None or r[0] == w and oblique and gender == "masc" and w.endswith(MASC_SURNAME_OBLIQUE):
            # The dictionary lacks the man's surname (Олега Синєгубова): drop the genitive -а.
            out.append(w[:-1] if oblique and gender == "masc" and w.endswith(MASC_SURNAME_OBLIQUE) else w)
            continue
        out.append(r[0])
        gender = gender or r[1]
    return " ".join(out)


MASC_SURNAME_NOMINATIVE = ("ов", "ев", "ёв", "єв", "ин", "ын", "ін", "їн")
MASC_SURNAME_OBLIQUE = ("ова", "ева", "єва", "іна", "ина", "їна", "ёва")


def nominative_phrase(lang: str, phrase: str) -> str:
    """Nominative of a place or organisation name: words up to its first noun agree with it, the rest stay.

    "Донецкой Народной Республике" -> "Донецкая Народная Республика";
    "мэрии Москвы" -> "мэрия Москвы".
    """
    words = phrase.split()
    if not words:
        return phrase
    ma = morph_analyzer(lang)
    head = None
    for i, w in enumerate(words):
        ps = ma.parse(w)
        if ps and ps[0].tag.POS == "NOUN":
            head = i
            break
    if head is None:
        head = len(words) - 1
    hp = ma.parse(words[head])
    case = hp[0].tag.case if hp else None
    if case in (None, "nomn") or any(not any(c.isalpha() for c in w) for w in words[: head + 1]):
        return phrase
    out = []
    for i, w in enumerate(words):
        if i > head or w.isupper():
            out.append(w)
            continue
        cands = [p for p in ma.parse(w) if p.tag.case == case and p.tag.POS in ("NOUN", "ADJF", "PRTF")]
        if not cands:
            out.append(w)
            continue
        p = cands[0]
        grams = {"nomn"}
        if p.tag.number:
            grams.add(p.tag.number)
        if i < head and p.tag.POS != "NOUN" and p.tag.number != "plur" and hp[0].tag.gender in GENDERS:
            grams.add(hp[0].tag.gender)  # the adjective agrees with its noun (официальный представитель)
        inf = p.inflect(grams)
        out.append(_match_case(inf.word, w) if inf else w)
    return " ".join(out)


# ------------------------------------------------------------------ transliteration keys

# One letter table for Russian and Ukrainian; the key then folds the spellings the two
# languages and English use for the same name (г/h/g, и/і/ы/y, е/є/ye, kh/h).
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "’": "", "ʼ": "",
}
_FOLD = [("shch", "s"), ("kh", "x"), ("zh", "j"), ("tch", "c"), ("ch", "c"), ("ts", "c"), ("sh", "s"),
         ("tz", "c"), ("ph", "f"), ("w", "v"), ("h", "g"), ("q", "k"), ("ck", "k")]
_VOWELS = set("aeiouy")


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(c, c) for c in text.lower())


def _word_key(word: str) -> str:
    w = re.sub(r"[^a-z]", "", transliterate(word))
    if not w:
        return ""
    for a, b in _FOLD:
        w = w.replace(a, b)
    first = "a" if w[0] in _VOWELS else w[0]
    rest = [c for c in w[1:] if c not in _VOWELS]
    out = [first]
    for c in rest:
        if c != out[-1]:
            out.append(c)
    return "".join(out)


def translit_key(name: Optional[str]) -> Optional[str]:
    """A Latin key that the Russian, Ukrainian and English spellings of one name share.

    Transliterated, then reduced to its first letter and its consonants with the
    spelling-system differences folded: Северск, Сіверськ, Siversk and Seversk
    all give "svrsk"; Игорь Коротченко and Igor Korotchenko give "agr krtcnk".
    """
    if not name:
        return None
    words = [k for k in (_word_key(w) for w in re.split(r"[\s\-]+", name)) if k]
    return " ".join(words) or None
