"""Russian/Ukrainian entities: canonical names in the nominative, transliteration keys, descriptors."""

from __future__ import annotations

import re
from typing import Optional

from ...schema import Entity
from ..nlp import CYRILLIC, sentence_of
from ..pipeline import component
from .common import NESTED, nominative_person, nominative_phrase, translit_key

DESCRIPTOR_POS = {"NOUN", "ADJ", "PROPN"}
CALLSIGN = re.compile(r"^(?:позывн|позивн)\w*$")
MAX_DESCRIPTOR = 5
CUE_NOUNS = {"слово", "данные", "мнение", "сообщение", "заявление", "оценка", "информация", "словами",
             "дані", "думка", "повідомлення", "заява", "інформація"}


def _descriptor(doc, lang: str, start: int, taken: set[int]) -> Optional[str]:
    """"военный эксперт Игорь Коротченко" -> "военный эксперт"; "речник ЗСУ Андрій Коваль" -> "речник ЗСУ"."""
    i = start - 1
    while i >= 0 and start - i <= MAX_DESCRIPTOR:
        t = doc[i]
        if t.pos_ not in DESCRIPTOR_POS or i in taken and t.ent_type_ == "PERSON":
            break
        i -= 1
    words = doc[i + 1 : start]
    # "По словам официального представителя": the speech noun is the cue, not the role.
    cut = max((k + 1 for k, t in enumerate(words) if t.lemma_ in CUE_NOUNS), default=0)
    words = words[cut:]
    # It must open with a lower-case common word (a title or role), not a name.
    while len(words) and not ((words[0].is_lower or words[0].is_sent_start) and words[0].pos_ in ("NOUN", "ADJ")):
        words = words[1:]
    if not len(words) or not any(t.is_lower and t.pos_ == "NOUN" for t in words):
        return None
    text = words.text
    if words[0].is_sent_start and not words[0].text.isupper():
        text = text[:1].lower() + text[1:]
    return nominative_phrase(lang, text)


def find_entities(doc, lang: str) -> list[Entity]:
    if doc is None:
        return []
    # factRuEval counts the place inside an organisation's name as a mention of its own
    # ("Москвы" in "мэрии Москвы"), NER-UK does not; the places component reads them either way.
    nested = doc.spans.get(NESTED, []) if lang == "ru" else []
    ents = sorted([*doc.ents, *nested], key=lambda e: (e.start, -len(e)))
    # "с позывным Гром": a call sign hides a person, it does not name one.
    ents = [e for e in ents if not (e.label_ == "PERSON" and e.start > 0 and CALLSIGN.match(doc[e.start - 1].lower_))]
    taken = {i for e in ents if e.label_ == "PERSON" for i in range(e.start, e.end)}
    people: dict[str, str] = {}  # nominative surname -> fullest nominative name
    canon_of: list[Optional[str]] = []
    for e in ents:
        if e.label_ != "PERSON":
            canon_of.append(nominative_phrase(lang, e.text))
            continue
        name = nominative_person(lang, e.text)
        canon_of.append(name)
        surname = name.split()[-1]
        if len(name.split()) >= len(people.get(surname, "").split()):
            people[surname] = name
    out: list[Entity] = []
    descriptors: dict[str, str] = {}
    for e, canon in zip(ents, canon_of):
        if e.label_ == "PERSON":
            canon = people.get(canon.split()[-1], canon)
            desc = _descriptor(doc, lang, e.start, taken)
            if desc and canon not in descriptors:
                descriptors[canon] = desc
        elif e.label_ in ("GPE", "LOC") and len(e) == 1:
            # The dictionary may not know a small town: take the spelling the gazetteer knows.
            from .places import resolve

            cand, spelled = resolve(lang, canon, e.text)
            if cand is not None and spelled and spelled.lower() != (canon or "").lower() and len(spelled) < len(canon):
                canon = spelled[:1].upper() + spelled[1:]
        out.append(Entity(
            text=e.text, label=e.label_, start=e.start_char, end=e.end_char, canonical=canon,
            sentence=sentence_of(doc, e.start_char), key=translit_key(canon),
        ))
    for ent in out:
        if ent.label == "PERSON":
            ent.descriptor = descriptors.get(ent.canonical)
    return out


@component("entities", langs=CYRILLIC)
def load(lang: str):
    def extract_entities(ctx) -> list[Entity]:
        return find_entities(ctx.doc, lang)

    return extract_entities
