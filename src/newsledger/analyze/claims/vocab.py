"""The claims component's word lists, read once from ``data/claim_vocabulary.json``.

Rules are data: each list there says what it is for; code refers to it by the
names below. Speech verbs are the quotes component's (``data/speech_cues.json``)
minus the few whose subject is no speaker of a claim.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..speech import cues

DATA = Path(__file__).resolve().parent.parent.parent / "data"
_SETS: dict = json.loads((DATA / "claim_vocabulary.json").read_text(encoding="utf-8"))["sets"]


def _set(name: str) -> frozenset[str]:
    return frozenset(_SETS[name]["words"])


def _whole_words(name: str) -> re.Pattern:
    return re.compile(r"(?i)\b(?:" + "|".join(_SETS[name]["words"]) + r")\b")


# A claim tied to no coded actor, coded target or place (a third of them are right on PLOVER's gold).
UNGROUNDED_CONFIDENCE = 0.3
# "we" in a quote credited to the outlet's country: a weak guess.
FIRST_PERSON_GUESS_CONFIDENCE = 0.4

TERRITORIAL = _set("territorial")
THREAT_CONVERTIBLE = _set("threat_convertible")
SPEECH_TYPES = _set("speech_types")
COOPERATIVE = _set("cooperative")
MILITARY_TYPES = _set("military_types")
REPORTING = cues().speech_verbs - _set("reporting_exclude")
DENIAL_VERBS = _set("denial_verbs")
CLAIM_DENIAL_VERBS = DENIAL_VERBS | _set("claim_denial_extra")
CLAIM_NOUNS = _set("claim_nouns")
REPORTED_ADVERBS = _set("reported_adverbs")
FALSEHOOD_NOUNS = _set("falsehood_nouns")
FALSE_ADJ = _set("false_adjectives")
FUTURE_AUX = _set("future_aux")
FUTURE_HEADS = _set("future_heads")
HALT_VERBS = _set("halt_verbs")
PROTEST_COERCE = _set("protest_coerce")
STREET_PROTEST = _set("street_protest")
LIGHT_VERBS = _set("light_verbs")
PLACE_HEADS = _set("place_heads")
PLACE_LABELS = _set("place_labels")
BODY_WORDS = _whole_words("body_words")
PART_WORDS = _set("part_words")
NOT_PLACE_ENTS = _set("not_place_entities")
TIME_WORDS = _set("time_words")
DESTINATION_PREPS = _set("destination_preps")
PARTIAL_WORDS = _set("partial_words")
LOCATIVE_PREPS = _set("locative_preps")
SETTLEMENT_HEADS = _set("settlement_heads")
ARMED_SECTORS = _set("armed_sectors")
UNARMED_SECTORS = _set("unarmed_sectors")
UNIT_NOUNS = _set("unit_nouns")
PRONOUNS = _set("pronouns")
ORG_WORDS = _whole_words("org_words")
