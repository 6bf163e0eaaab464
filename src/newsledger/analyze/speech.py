"""Speech cues and quote patterns, read from ``data/speech_cues.json``.

One place for the words that mark reported speech ("said", "according to"),
the nouns that announce a title or a term rather than an utterance ("his book",
"so-called"), unnamed-source heads ("a senior official") and the capitals that
stand for governments ("Moscow said"). Quotes use it for attribution; claims
can use the same lists for their own attributions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class SpeechCues:
    speech_verbs: frozenset[str]
    particle_verbs: dict[str, str]
    thought_verbs: frozenset[str]
    urge_verbs: frozenset[str]
    non_speakers: frozenset[str]
    title_nouns: frozenset[str]
    term_cues: frozenset[str]
    scare_max_words: int
    unnamed_heads: frozenset[str]
    institution_heads: frozenset[str]
    capitals: dict[str, str]
    country_adjectives: dict[str, str]
    demonyms: dict[str, str]
    alpha2: dict[str, str]  # outlet country (ISO alpha-2) -> alpha-3
    spelling: dict[str, str]


@lru_cache(maxsize=1)
def cues() -> SpeechCues:
    raw = json.loads(resources.files("newsledger.data").joinpath("speech_cues.json").read_text("utf-8"))
    low = lambda key: frozenset(w.lower() for w in raw[key])  # noqa: E731
    return SpeechCues(
        speech_verbs=low("speech_verbs"),
        particle_verbs={k.lower(): v.lower() for k, v in raw["particle_verbs"].items()},
        thought_verbs=low("thought_verbs"),
        urge_verbs=low("urge_verbs"),
        non_speakers=low("non_speakers"),
        title_nouns=low("title_nouns"),
        term_cues=low("term_cues"),
        scare_max_words=int(raw["scare_max_words"]),
        unnamed_heads=low("unnamed_heads"),
        institution_heads=low("institution_heads"),
        capitals={k.lower(): v for k, v in raw["capitals"].items()},
        country_adjectives={k.lower(): v for k, v in raw["country_adjectives"].items()},
        demonyms=dict(raw["demonyms"]),
        alpha2={k.upper(): v for k, v in raw["alpha2"].items()},
        spelling={k.lower(): v.lower() for k, v in raw["spelling"].items()},
    )
