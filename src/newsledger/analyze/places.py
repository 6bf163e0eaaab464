"""Places: find toponyms in the article text and resolve them to GeoNames.

Detection does not trust the small spaCy model alone (it tags "Seversk" as
PRODUCT and "Donbass" as PERSON): every capitalised word sequence is looked
up in the gazetteer, and spaCy's entities and tags only decide how much to
believe that a match is a place ("Hope Hicks" is a PERSON span wider than the
match; "Russian" is NORP; a common noun at the start of a sentence is not a
proper noun). A name that opens a public body's name stays a place ("Queensland
Premier", "Health Ministry of Uganda"); inside a company's or outlet's name,
a currency (US$) or a flu strain name (A/Victoria/...) it does not.

Resolution scores every candidate with a population prior and then lets the
other places of the article vote: a shared country or first-level region,
nearby coordinates, the "Paris, Texas" apposition pattern and, weakly, the
outlet's country. One name is resolved once per article, unless the text names
two containers for it ("Salem, Ore., and Salem, Mass."). A doubtful match (a
town the model tagged PERSON, say) is reported only when it resolves into a
country that the article's sure matches also name.

A region or country right after a name contains it ("Paris, Texas", "Springfield,
Ill.", "Petrivka in the Kharkov region"); when no place of that name lies in the
named region, the name is placed at the region with basis "context:admin1-only".
A sourced spelling from the supplement ("Artemovsk" for Bakhmut) outranks a
larger place that merely lists the spelling among its alternate names.

Beyond toponyms: a capitalised name ending in a facility word ("Baker Street",
"Heathrow Airport") is one unit, resolved only if the gazetteer knows it whole,
else kept as kind "facility" without coordinates, so no word inside it becomes a
town. Demonyms ("Russian", "Kurdish") become places of kind "demonym" at their
country or region. Every place carries its kind, the evidence that chose its
point (``basis``) and a confidence scaled to the chance of lying within 161 km.
Word lists live in data/place_words.json.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable, Optional

from ..schema import Place
from .gazetteer import Candidate, Gazetteer, get_gazetteer, normalize
from .pipeline import component

MAX_WORDS = 5
# Letters-only words; "(A.)+" keeps U.S./U.K. whole. A possessive 's stays on the word so that
# "People's Republic of China" is one run; lookups retry without it ("Seversk’s").
_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = ("'s", "’s")
# Lowercase words allowed inside a multi-word name (Rostov-on-Don, Bosnia and Herzegovina).
_CONNECTORS = frozenset("of the de del della di do da dos das du la le les upon on am an der sur y al el au aux en"
                        " los las es".split())
# An elided article joined to a capitalised word stays inside a name (Côte d'Ivoire, L'Aquila).
_ELIDED = re.compile(r"[dl]['’][A-Z]")
_JOINERS = frozenset((" ", "-", "‐"))
_ABBREV = frozenset(("St", "Mt", "Ft", "Ste", "Pt"))
_REGION_CUES = frozenset("region oblast province state governorate prefecture krai district territory".split())
_DOTTED = re.compile(r"(?:[A-Z]\.){2,}")
# Lowercase words that end a region name in Russian/Ukrainian and transliterations ("Донецкая область").
_LOWER_TAILS = frozenset("область oblast край krai".split())
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
# A following word that turns the name into something else (Marburg virus, Texas Street).
_NOT_PLACE_CUES = frozenset("virus ebolavirus fever disease flu strain syndrome hemorrhagic haemorrhagic".split())
# Words that make the name part of a facility's only when written as part of that name ("Texas Street",
# "Boston University"); in lowercase the name is a place qualifying a common noun ("a Benghazi hospital").
_FACILITY_CUES = frozenset("street st road avenue boulevard lane square highway university college hospital".split())
# Capitalised words that, following a place name, make an office or public body of that place ("Queensland
# Premier", "California Department of Public Health", "Denver District Judge"): the name is still the place.
_OFFICE_CUES = frozenset("""Governor Premier Mayor Minister Ministry Department Police Health Public Primary State
Provincial Regional District Attorney Judge Senator Secretary Fire City Council Hall Government Parliament
Assembly Legislature Board Pollution Sanitation Municipal""".split())
# Words that may surround a name inside one capitalised run without making it part of another name.
_GENERIC = frozenset(normalize(w) for w in """City County Province Region State Island Islands District Oblast
Governorate Prefecture Municipality Department Republic Territory Kingdom North South East West Northern Southern
Eastern Western Central Greater Upper Lower""".split())

# Capitalised words that GeoNames knows as some hamlet but that name nothing in news prose.
_STOP = frozenset(normalize(w) for w in """
January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today
God Lord Christ Allah Jesus Mary Hope Faith Grace Liberty Justice Union Unity Victory Independence Progress
Mr Mrs Ms Dr Sir Lady King Queen Prince President Minister Secretary General Governor Senator Mayor Chief
Police Army Navy Court Council Parliament Congress Senate Church Party Government Ministry Commission
North South East West Central Northern Southern Eastern Western Upper Lower Middle New Old Great Little
Mobile Internet Online Media News Press Post Times Star Sun Globe Mail Herald Tribune Guardian
Stalin Lenin Trump Biden Putin Obama Bush Clinton Kennedy Reagan
Sputnik Reuters Twitter Google Apple Amazon Ebola Zika Corona Covid Bird Swine Pope Officer Commissioner Vice
Federal Human Plan Director Professor Doctor Captain Colonel Sergeant Commander Lieutenant Ambassador
""".split()) | {normalize("White House")}

_REGIONS = frozenset(("region", "admin2"))
_LOCAL = frozenset(("city", "region", "admin2"))
# A name after a title is a person wherever else it appears ("Dr. Harden ... Harden said").
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Professor|Sen|Senator|Rep|Gov|Governor|Gen|General|Col|Capt|Lt|Sgt|"
                     r"President|Minister|Judge|Justice|Rev|Bishop|Detective|Director|Spokesman|Spokeswoman)"
                     r"\.? +(?:[A-Z]\. )?(?:[A-Z][a-z]+ )?([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_NER_PLACE = frozenset(("GPE", "LOC", "FAC"))
_MEDIA = frozenset("Times Post News Herald Tribune Journal Gazette Daily Press Star Sun Mail Globe Observer Telegraph"
                   " Standard Chronicle Courier Ledger Review Today Weekly Magazine Radio TV".split())
_NER_NOT_PLACE = frozenset(("NORP", "WORK_OF_ART", "LAW", "LANGUAGE", "EVENT", "PRODUCT"))


@lru_cache(maxsize=1)
def place_words() -> dict:
    """Demonyms, facility words and state abbreviations (data/place_words.json)."""
    return json.loads(resources.files("newsledger.data").joinpath("place_words.json").read_text("utf-8"))


def _alternation(words) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")


@dataclass
class _Mention:
    start: int
    end: int
    text: str
    key: str
    support: float  # how much detection believes this is a place at all
    region_cue: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    tentative: bool = False  # kept only if it lands in a country the sure mentions name
    shadowed: frozenset[int] = frozenset()  # ids of regions named like a big city (see _shadowed_regions)
    kind: Optional[str] = None  # "facility" when the whole name is a facility's


# Separators after which a region or country contains the name before it ("Paris, Texas", "Petrivka in
# the Kharkov region", "Springfield, Ill.").
_CONTAINER_SEPS = frozenset((", ", " in ", " in the ", ", in ", " (", ", in the "))
# Our confidence is the chance the point is within 161 km of where the text means. The model's belief
# in the candidate is scaled by how often a correct candidate of that kind lands that close (a country's
# or a large region's point is one convention among several): measured on the GeoVirus dev half.
POINT_RELIABILITY = {"city": 0.96, "district": 0.88, "region": 0.88, "country": 0.85, "continent": 0.5, "area": 0.6}
LARGE_COUNTRY_RELIABILITY = 0.6  # countries whose extent dwarfs 161 km (see _LARGE)
# Countries whose extent dwarfs 161 km and whose point we could not align with GeoNames (data/country_points.json).
_LARGE = frozenset("RU CN BR IN AR KZ DZ CD SA MX ID LY IR MN PE TD NE AO ML ZA CO ET BO MR EG".split())


# Scoring weights (log10 population units), tuned on GeoVirus.
W_COUNTRY_VOTE = 1.0  # per other place of the same country (up to two)
W_ADMIN1_VOTE = 1.0
W_NEAR_VOTE = 0.5  # another place within NEAR_KM
W_KIND_VOTE = 1.0  # another region of the same country
W_SOURCE = 0.5  # the outlet's country
COUNTRY_BONUS = 1.5
ALIAS_PENALTY = 0.7
CURATED_BONUS = 0.3
ADMIN2_PENALTY = 0.5
NEAR_KM = 250.0
CONTAIN_KM = 150.0
MAX_CANDIDATES = 25
_CELL = 2.5  # degrees; grid cell for finding places within NEAR_KM
SHADOW_RATIO = 0.2  # a city this large relative to a same-named region is what the name means
SHADOW_PENALTY = 1.5


def _prior(c: Candidate) -> float:
    """Log-popularity of a feature; countries and named regions outrank same-named villages."""
    if c.feature == "country":
        base = max(math.log10(c.population + 1), 6.0) + COUNTRY_BONUS
    elif c.feature == "continent":
        base = 8.0
    elif c.feature == "region":
        # A first-level region outranks a same-named town, but not a city ten times its size
        # (Portland, Oregon over the Jamaican parish of Portland).
        base = max(math.log10(c.population + 1), min(6.0, math.log10(c.population + 1) + 1.0)) if c.population else 6.5
    elif c.feature == "admin2":
        base = math.log10(c.population + 1000) - ADMIN2_PENALTY
    else:
        base = math.log10(c.population + 1000)
    if c.curated and c.feature != "region":
        # A spelling we sourced for exactly this place ("Artemovsk": Bakhmut). A region's curated names
        # ("Kiev" for the oblast) serve "Kiev region" and stay behind the city of that name.
        return base + CURATED_BONUS
    return base - (ALIAS_PENALTY if c.alias else 0.0)


class PlaceResolver:
    def __init__(self, gazetteer: Optional[Gazetteer] = None):
        from spacy.lang.en.stop_words import STOP_WORDS

        self.gaz = gazetteer or get_gazetteer()
        self.stop = _STOP | {normalize(w) for w in STOP_WORDS}
        words = place_words()
        self.facility_words = words["facility_words"]
        self.facility_heads = words["facility_heads"]
        self.generic_words = frozenset(words["generic_words"])
        self.abbrevs = {**{k + ".": v for k, v in words["state_abbreviations"].items()}, **words["state_postal_codes"]}
        # "Springfield, Ill." or "Springfield, IL", then anything but a lowercase word ("IL is").
        self._abbrev_re = re.compile(r", ((?:" + "|".join(re.escape(k) for k in sorted(
            words["state_abbreviations"], key=len, reverse=True)) + r")\.|(?:" + "|".join(
            words["state_postal_codes"]) + r")\b)(?!-)")
        self.demonyms = {**{k: ("cc", v) for k, v in words["demonyms"].items()},
                         **{k: ("id", v) for k, v in words["region_demonyms"].items()}}
        # The people as a plural noun: "Syrians", "Iraqis", "Americans" (not "Britishs" or "Swisss").
        self.demonyms.update({k + "s": v for k, v in self.demonyms.items() if k.endswith(("n", "i"))})
        self._demonym_re = _alternation(self.demonyms)

    # ------------------------------------------------------------ detection

    def _words(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in _WORD.finditer(text)]

    def _detect(self, text: str, doc) -> list[_Mention]:
        words = self._words(text)
        ner: dict[int, tuple[int, int, str]] = {}
        person_words: set[str] = set()
        proper: Optional[set[int]] = None
        if doc is not None:
            for e in doc.ents:
                for i in range(e.start_char, e.end_char):
                    ner[i] = (e.start_char, e.end_char, e.label_)
                if e.label_ == "PERSON" and len(e) > 1:
                    person_words.update(t.text for t in e)
            proper = {t.idx for t in doc if t.tag_ in ("NNP", "NNPS")}
        person_words.update(_TITLED.findall(text))
        runs = self._runs(text, words)
        mentions: list[_Mention] = []
        n, i = len(words), 0
        while i < n:
            s0 = words[i][0]
            if not text[s0].isupper():
                i += 1
                continue
            run_start, run_end = runs[i]
            hit = self._longest(text, words, i, run_end)
            if hit is None:
                i += 1
                continue
            j, end, cands = hit
            if j == i and text[s0:end] in self.demonyms:
                i += 1  # "Kazakh", "Slovak": an adjective here, read by the demonym pass
                continue

            terrain = j == i and text[s0:end] in self.generic_words

            def named(k: int) -> bool:
                """A capitalised neighbour that makes the match part of a longer name
                ("Medical" in "Chief Medical Officer"), not a sentence-initial or generic word;
                any capitalised neighbour does for a terrain word ("Central Plateau")."""
                w = text[words[k][0]:words[k][1]]
                if not w[0].isupper():
                    return False
                if terrain:
                    return True
                if normalize(w) in self.stop or normalize(w) in _GENERIC:
                    return False
                return words[k][0] in proper if proper is not None else not _sentence_initial(text, words[k][0])

            # A possessive closes a name: "Steele's Texas", "Rome's Gemelli hospital".
            cut = [k for k in range(run_start, i) if text.endswith(_POSSESSIVE, *words[k])]
            left = range(cut[-1] + 1 if cut else run_start, i)
            right = range(j + 1, run_end + 1) if not text.startswith(_POSSESSIVE, end) else range(0)
            rest = [text[words[k][0]:words[k][1]] for k in right]
            office = bool(rest) and rest[0] in _OFFICE_CUES and not any(
                w.lower().removesuffix("'s").removesuffix("’s") in _FACILITY_CUES for w in rest)
            ent = ner.get(s0)
            if ent is not None and ent[:2] == (s0, end) and ent[2] in ("GPE", "LOC") and left and \
                    text[words[i - 1][1]:s0].strip() in _CONNECTORS:
                left = range(0)  # "Venus Critchfield of Philippi": the model reads the place on its own
            partial = any(named(k) for k in left) or not office and any(named(k) for k in right)
            m = self._judge(text, s0, end, list(cands), ner, proper, person_words, partial, office)
            if m is not None:
                mentions.append(m)
            i = j + 1
        mentions = self._facilities(text, words, runs, mentions)
        mentions.extend(self._abbreviations(text, mentions))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _facilities(self, text: str, words, runs, mentions: list[_Mention]) -> list[_Mention]:
        """A capitalised name that ends in a facility word ("Baker Street", "Heathrow Airport") or starts
        with one ("River Thames") is one unit: it resolves only if the gazetteer knows the whole name, and
        otherwise stays an unresolved facility; no word inside it becomes a place of its own."""
        found: list[_Mention] = []
        for seg_a, seg_b in self._segments(text, words, runs):
            a = seg_a
            while a < seg_b and normalize(text[words[a][0]:words[a][1]]) in self.stop:
                a += 1  # "The Baker Street", "In Trafalgar Square"
            ws = [text[words[k][0]:words[k][1]] for k in range(a, seg_b + 1)]
            last = max((k for k in range(1, len(ws)) if ws[k] in self.facility_words), default=None)
            if last is not None:
                ftype, b = self.facility_words[ws[last]], a + last
            elif len(ws) > 1 and ws[0] in self.facility_heads:
                ftype, b = self.facility_heads[ws[0]], seg_b
            else:
                continue
            start, end = words[a][0], words[b][1]
            if any(m.start == start and m.end == end for m in mentions):
                continue  # the gazetteer knows the whole name ("Lake Charles", "Rice Lake")
            cands = list(self.gaz.lookup(text[start:end]))
            found.append(_Mention(start, end, text[start:end], normalize(text[start:end]), 0.5,
                                  candidates=cands, kind="facility:" + ftype))
        if not found:
            return mentions
        kept = [m for m in mentions if not any(f.start < m.end and m.start < f.end for f in found)]
        return kept + found

    @staticmethod
    def _segments(text: str, words, runs):
        """Runs of capitalised words, split at lowercase connectors ("Willamette River on Wednesday")."""
        for a, b in sorted(set(runs)):
            k = a
            while k <= b:
                if not text[words[k][0]].isupper():
                    k += 1
                    continue
                e = k
                while e < b and text[words[e + 1][0]].isupper():
                    e += 1
                yield k, e
                k = e + 1

    def _abbreviations(self, text: str, mentions: list[_Mention]) -> list[_Mention]:
        """"Springfield, Ill.": an AP-style state abbreviation right after a place names its region."""
        ends = {m.end for m in mentions}
        out = []
        for m in self._abbrev_re.finditer(text):
            if m.start() not in ends:
                continue
            region = self.gaz.region(self.abbrevs[m.group(1)])
            if region is not None:
                out.append(_Mention(m.start(1), m.end(), m.group(1), "@" + region.admin1, 1.0, candidates=[region]))
        return out

    def _longest(self, text: str, words: list[tuple[int, int]], i: int, run_end: int):
        """(last word, end offset, candidates) of the longest gazetteer name starting at word i."""
        s0, n = words[i][0], len(words)
        if i + 1 < n:
            sep = text[words[i][1]:words[i + 1][0]]
            nxt = text[words[i + 1][0]:words[i + 1][1]]
            if sep == ", " and _DOTTED.fullmatch(nxt) or sep == " " and nxt in _LOWER_TAILS:
                cands = self.gaz.lookup(text[s0:words[i + 1][1]])  # Washington, D.C.; Донецкая область
                if cands:
                    return i + 1, words[i + 1][1], cands
        if i + 2 < n and text[words[i][1]:words[i + 2][0]] == " and " and text[words[i + 2][0]].isupper():
            cands = self.gaz.lookup(text[s0:words[i + 2][1]])  # Bosnia and Herzegovina
            if cands:
                return i + 2, words[i + 2][1], cands
        if text.endswith(("the ", "The "), 0, s0) and run_end == i:
            cands = self.gaz.lookup("the " + text[s0:words[i][1]])  # "the Gulf" is not any Gulf
            if cands:
                return i, words[i][1], cands
        for j in range(min(run_end, i + MAX_WORDS - 1), i - 1, -1):
            if j > i and not text[words[j][0]].isupper() and not _ELIDED.match(text, words[j][0]):
                continue
            end = words[j][1]
            cands = self.gaz.lookup(text[s0:end])
            if not cands and text.endswith(_POSSESSIVE, s0, end) and end - 2 > s0:
                end -= 2
                cands = self.gaz.lookup(text[s0:end])
            if cands:
                return j, end, cands
        return None

    @staticmethod
    def _runs(text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """For each word, the first and last word of the capitalised run it belongs to
        ("Chief Medical Officer", "Port-au-Prince", "St. Peter")."""
        runs: list[tuple[int, int]] = []
        start = 0
        for k in range(len(words)):
            if k > start:
                sep = text[words[k - 1][1]:words[k][0]]
                prev = text[words[k - 1][0]:words[k - 1][1]]
                w = text[words[k][0]:words[k][1]]
                joined = (sep in _JOINERS or (sep == ". " and prev in _ABBREV)) and (
                    w[0].isupper() or w in _CONNECTORS or _ELIDED.match(w) is not None)
                if not joined:
                    runs.extend([(start, k - 1)] * (k - start))
                    start = k
        runs.extend([(start, len(words) - 1)] * (len(words) - start))
        # A run never ends on a connector ("Bosnia and" followed by a lowercase word).
        trimmed = {}
        for a, b in set(runs):
            while b > a and not text[words[b][0]].isupper() and not _ELIDED.match(text, words[b][0]):
                b -= 1
            trimmed[runs[a]] = (a, b)
        return [trimmed[r] for r in runs]

    def _judge(self, text, start, end, cands, ner, proper, person_words, partial, office=False) -> Optional[_Mention]:
        span = text[start:end]
        key = normalize(span)
        letters = [c for c in span if c.isalpha()]
        acronym = all(c.isupper() for c in letters)
        if len(letters) <= 3 and not acronym:
            ent = ner.get(start)
            # "the city of Van, Turkey": a short name only as an exact GPE with a settlement cue or a container.
            if not (ent is not None and ent[:2] == (start, end) and ent[2] == "GPE" and (
                    text.startswith(", ", end) or _SETTLEMENT_CUE.search(text, max(0, start - 20), start))):
                return None
        if acronym and len(letters) <= 5:
            # FAO, HIV: an acronym names a country or region (US, NSW, DPR), never a village.
            cands = [c for c in cands if c.feature in ("country", "region", "continent")]
            if not cands:
                return None
        elif key in self.stop:
            return None
        ent = ner.get(start)
        exact = ent is not None and ent[0] == start and ent[1] == end
        if span in person_words and not (exact and ent[2] in _NER_PLACE):
            return None  # "Harden" after "Dr. Harden"; but a GPE-tagged "Buffalo" beside "Buffalo Fire Chief Smith"
        before, after = text[start - 1:start] if start else "", text[end:end + 1]
        if "$" in (before, after) or before == "/" == after:
            return None  # a currency (US$, $US) or a flu strain name (A/Victoria/361/2011)
        nxt = _NEXT_WORD.match(text, end)
        next_word = nxt.group(1).lower() if nxt else ""
        if next_word in _NOT_PLACE_CUES or next_word in _FACILITY_CUES and nxt.group(1)[0].isupper():
            return None
        if ent is not None:
            es, ee, label = ent
            if label in _NER_PLACE:
                support = 1.0
            elif label == "NORP" and exact and any(c.feature == "country" and not c.alias for c in cands):
                support = 0.5  # the model reads "Central African Republic" as a nationality
            elif next_word in _REGION_CUES and any(c.feature in _REGIONS for c in cands):
                support = 1.0  # "the Belgorod region", whatever the model calls "Belgorod"
            elif label in _NER_NOT_PLACE and label != "PRODUCT":
                return None
            elif office and (es < start or ee > end):
                support = 0.4  # the place of a public body; a weak match stays tentative
            elif _punctuated(text, es, ee, start, end):
                support = 0.3  # "Pandi, Bulacan" or "Sri Lanka - approximately" read as one name by the model
            elif es < start or ee > end:
                # The country of an organisation that begins with it ("U.S. Army") or of a public body
                # ("Health Ministry of Uganda") is a place; inside a company's or outlet's name it is not
                # ("Agence France-Presse", "Voice of America").
                lead = text[es:start]
                led = lead.lower() in ("", "the ")
                if label == "ORG" and led and " " in span and not _MEDIA.intersection(_WORD.findall(text[end:ee])) \
                        and any(c.feature == "region" and c.id < 0 or c.feature == "region" and c.alias for c in cands):
                    # A multiword union or self-proclaimed republic the model reads as an organisation ("the
                    # European Union", "the Donetsk People's Republic militia"), not a newspaper's name.
                    cands = [c for c in cands if c.feature == "region"]
                elif not (label == "ORG" and any(c.feature == "country" for c in cands) and (
                        led or any(w in _OFFICE_CUES for w in _WORD.findall(lead)))):
                    return None
                else:
                    cands = [c for c in cands if c.feature == "country"]  # "U.S. Army", "Kenya Red Cross"
                support = 0.5
            else:
                support = 0.3  # the small model calls many towns PERSON or PRODUCT
        elif proper is not None and start not in proper:
            if " " not in span and re.search(r"\b" + re.escape(span.lower()) + r"\b", text):
                return None  # also written in lowercase here: a common word
            # Not tagged a proper noun: a capitalised first word of a sentence is most likely an ordinary word.
            support = 0.2 if _sentence_initial(text, start) else 0.3
        elif proper is None and _sentence_initial(text, start):
            support = 0.3
        else:
            support = 0.5
        region_cue = next_word in _REGION_CUES
        shadowed: frozenset[int] = frozenset()
        if region_cue and any(c.feature in _REGIONS for c in cands):
            cands = [c for c in cands if c.feature in _REGIONS]
            end = nxt.end(1)
        else:
            region_cue = False
            shadowed = self._shadowed_regions(cands)
        best = max((c for c in cands if c.id not in shadowed), key=_prior)
        if partial and best.feature != "country":
            return None  # "Officer" in "Chief Medical Officer", "Valley" in "Rift Valley Province"
        strong = best.feature in ("country", "continent") or (best.feature in _REGIONS and not best.alias) or \
            best.population >= 50_000
        if support < 0.3 and not strong:
            return None
        return _Mention(start, end, text[start:end], key, support, region_cue, cands,
                        tentative=support < 0.5 and not strong, shadowed=shadowed)

    @staticmethod
    def _shadowed_regions(cands: list[Candidate]) -> frozenset[int]:
        """Regions that share their name with a big city inside them, or with a much bigger city of
        their country: in prose the name is the city (Kharkiv, New York) unless a cue such as "region"
        follows or the article's context says otherwise (a list of states, "Buffalo, New York"), so
        they keep a place among the candidates at a lower prior."""
        cities = [c for c in cands if c.feature == "city" and c.population >= 50_000]
        if not cities:
            return frozenset()
        shadowed = frozenset(c.id for c in cands if c.feature in _REGIONS and any(
            x.country_code == c.country_code and (
                x.admin1 == c.admin1 and x.alias <= c.alias or x.population >= SHADOW_RATIO * c.population)
            for x in cities))
        return shadowed if len(shadowed) < len(cands) else frozenset()

    # ------------------------------------------------------------ resolution

    def _resolve(self, mentions: list[_Mention], text: str, source_country: Optional[str]):
        # "Paris, Texas", "Petrivka in the Kharkov region": a name followed by a region or country that
        # may contain it. Not inside a comma-separated list, where the next item is a sibling ("Virginia,
        # Washington, West Virginia and Wyoming"), not a container.
        containers: dict[int, _Mention] = {}  # id(mention) -> the mention named as its container
        for prev, a, b in zip([None, *mentions], mentions, mentions[1:]):
            sep = text[a.end:b.start]
            if sep not in _CONTAINER_SEPS or sep == ", " and prev is not None and text[prev.end:a.start] == ", ":
                continue
            if any(c.feature in ("country", "region") for c in b.candidates):
                containers[id(a)] = b
        # One name, one place per article, except where the text names different containers ("Salem, Ore.,
        # and Salem, Mass."); a bare mention joins the name's only contained sense ("Paris, Texas ... Paris").
        gkey: dict[int, tuple] = {}
        for m in mentions:
            box = containers.get(id(m))
            gkey[id(m)] = (m.key, m.region_cue, box.key if box is not None else None)
        boxed: dict[tuple, set] = {}
        for k in gkey.values():
            if k[2] is not None:
                boxed.setdefault(k[:2], set()).add(k)
        for m in mentions:
            k = gkey[id(m)]
            if k[2] is None and len(boxed.get(k[:2], ())) == 1:
                gkey[id(m)] = next(iter(boxed[k[:2]]))
        groups: dict[tuple, list[_Mention]] = {}
        for m in mentions:
            groups.setdefault(gkey[id(m)], []).append(m)
        keys = list(groups)
        # The most prominent candidates suffice ("Washington" has hundreds) and bound the work.
        cands = {k: sorted(groups[k][0].candidates, key=_prior, reverse=True)[:MAX_CANDIDATES] for k in keys}
        priors = {k: [_prior(c) - (SHADOW_PENALTY if c.id in groups[k][0].shadowed else 0.0) for c in cands[k]]
                  for k in keys}
        bonus: dict[tuple, list[float]] = {k: [0.0] * len(cands[k]) for k in keys}
        for mid, b in containers.items():
            ka, kb = gkey[mid], gkey[id(b)]
            for ia, ca in enumerate(cands[ka]):
                for ib, cb in enumerate(cands[kb]):
                    if ca is not cb and ca.feature != "country" and _inside(ca, cb):
                        bonus[ka][ia] = max(bonus[ka][ia], 4.0)
                        bonus[kb][ib] = max(bonus[kb][ib], 2.0)

        probs = {k: _softmax([p + b for p, b in zip(priors[k], bonus[k])]) for k in keys}
        evidence: dict[tuple, list[tuple[float, ...]]] = {}
        for _ in range(2):
            votes = _Votes(keys, cands, probs)
            new = {}
            for k in keys:
                scores, ev = [], []
                for idx, c in enumerate(cands[k]):
                    parts = votes.context(c, k)
                    src = W_SOURCE if source_country and c.country_code == source_country else 0.0
                    scores.append(priors[k][idx] + bonus[k][idx] + sum(parts) + src)
                    ev.append((bonus[k][idx], *parts, src))
                new[k] = _softmax(scores)
                evidence[k] = ev
            probs = new
        return groups, cands, probs, priors, evidence, containers

    # ------------------------------------------------------------ component

    def __call__(self, text: str, doc=None, source_country: Optional[str] = None) -> list[Place]:
        if not text:
            return []
        mentions = self._detect(text, doc)
        if not mentions and not self._demonym_re.search(text):
            return []
        sent_starts = [s.start_char for s in doc.sents] if doc is not None else None

        def sentence(start: int) -> Optional[int]:
            return bisect.bisect_right(sent_starts, start) - 1 if sent_starts else None

        located = [m for m in mentions if m.candidates]
        places = [Place(text=m.text, start=m.start, end=m.end, sentence=sentence(m.start), confidence=0.5,
                        kind="facility", basis="unresolved") for m in mentions if not m.candidates]
        if located:
            places.extend(self._located(text, located, source_country, sentence))
        places.extend(self._demonyms(text, doc, places, sentence))
        places.sort(key=lambda p: p.start)
        return places

    def _located(self, text, mentions, source_country, sentence) -> list[Place]:
        groups, cands, probs, priors, evidence, containers = self._resolve(
            mentions, text, (source_country or "").upper() or None)
        chosen = {k: max(range(len(probs[k])), key=probs[k].__getitem__) for k in groups}
        sure_countries = {cands[k][i].country_code for k, i in chosen.items()
                          if not all(m.tentative for m in groups[k])}
        by_mention = {id(m): k for k, ms in groups.items() for m in ms}
        places = []
        for k, ms in groups.items():
            best = chosen[k]
            c = cands[k][best]
            if all(m.tentative for m in ms) and c.country_code not in sure_countries:
                continue  # a doubtful name with no support from the article's other places
            support = max(m.support for m in ms)
            basis = _basis(c, cands[k], priors[k], evidence[k], best)
            kind = _kind(c)
            reliability = POINT_RELIABILITY[kind]
            if kind == "country" and c.country_code in _LARGE:
                reliability = LARGE_COUNTRY_RELIABILITY
            conf = probs[k][best] * (0.5 + 0.5 * support) * reliability
            for m in ms:
                pc, pbasis, pconf = c, basis, conf
                box = containers.get(id(m))
                if box is not None and c.feature not in ("country", "continent"):
                    kb = by_mention[id(box)]
                    cb = cands[kb][chosen[kb]]
                    if cb.feature == "region" and cb.admin1 and c.feature == "city" and c.population < 100_000 \
                            and not any(_inside(x, cb) for x in cands[k]) and not _listed(text, mentions, box):
                        # No place of this name lies in the region the text puts it in (a village the
                        # gazetteer lacks): the region is the best point we have, said with less confidence.
                        pc = Candidate(0, m.text, "city", cb.country_code, cb.admin1, cb.lat, cb.lon, 0)
                        pbasis, pconf = "context:admin1-only", 0.5 * probs[kb][chosen[kb]]
                places.append(Place(
                    text=m.text, start=m.start, end=m.end, name=pc.name, geonames_id=pc.geonames_id,
                    feature=pc.feature if pc.feature in ("city", "country") else "region",
                    country_code=pc.country_code, admin1=pc.admin1, lat=pc.lat, lon=pc.lon,
                    sentence=sentence(m.start), confidence=round(pconf, 3),
                    kind="facility" if m.kind else _kind(pc), basis=pbasis,
                ))
        return places

    def _demonyms(self, text, doc, places: list[Place], sentence) -> list[Place]:
        """"Russian", "Syrian", "Kurdish": a country or region by its adjective, as a place of kind demonym."""
        taken = [(p.start, p.end) for p in places]
        labels = {}
        if doc is not None:
            # The small model calls a lone "Slovak" or "Tajik" a PERSON; a longer PERSON span is a name.
            labels = {e.start_char: e.label_ for e in doc.ents if e.label_ != "PERSON" or len(e) > 1}
        out = []
        for m in self._demonym_re.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken) or labels.get(s) in _NOT_DEMONYM_LABELS:
                continue
            how, ref = self.demonyms[m.group(0)]
            c = self.gaz.country(ref) if how == "cc" else self.gaz.get(ref)
            if c is None:
                continue
            out.append(Place(
                text=m.group(0), start=s, end=e, name=c.name, geonames_id=c.geonames_id,
                feature=c.feature if c.feature in ("city", "country") else "region", country_code=c.country_code,
                admin1=c.admin1, lat=c.lat, lon=c.lon, sentence=sentence(s), confidence=0.9,
                kind="demonym", basis="demonym",
            ))
        return out


def _listed(text: str, mentions: list[_Mention], m: _Mention) -> bool:
    """Whether another name follows ``m`` as the next item of a list ("Ohio, Oklahoma, Oregon")."""
    nxt = next((x for x in mentions if x.start >= m.end), None)
    if nxt is None or text[m.end:nxt.start] not in (", ", " and ", ", and "):
        return False
    # "Stroud, Ontario, Canada" is a chain of containers, not a list.
    return not (text[m.end:nxt.start] == ", " and any(c.feature == "country" for c in nxt.candidates))


_NOT_DEMONYM_LABELS = frozenset(("LANGUAGE", "PERSON", "WORK_OF_ART", "PRODUCT", "LAW"))


def _inside(ca: Candidate, cb: Candidate) -> bool:
    """Whether the region or country ``cb`` contains ``ca``."""
    return (cb.feature == "country" and cb.country_code == ca.country_code) or \
        (cb.feature == "region" and bool(cb.admin1) and cb.admin1 == ca.admin1)


def _kind(c: Candidate) -> str:
    if c.feature == "admin2":
        return "district"
    if c.feature == "region" and not c.country_code:
        return "area"  # Middle East, the Gulf, the European Union
    return c.feature


_EVIDENCE = ("context:apposition", "context:country", "context:admin1", "context:near", "context:admin1",
             "outlet-country")


def _basis(c: Candidate, cands: list[Candidate], priors: list[float], evidence, best: int) -> str:
    """The evidence that chose ``c``: its prior when it is the population favourite anyway, else the
    context term that gained it most over that favourite."""
    if len(cands) == 1:
        return "alias" if c.alias else "unique"
    if evidence[best][0] > 0:
        return "context:apposition"
    fav = max(range(len(cands)), key=priors.__getitem__)
    if fav == best:
        return "alias" if c.alias else "population"
    gains = [x - y for x, y in zip(evidence[best], evidence[fav])]
    i = max(range(len(gains)), key=gains.__getitem__)
    return _EVIDENCE[i] if gains[i] > 0 else "population"


class _Votes:
    """What the other names of an article say about a candidate, from their current beliefs.

    Each other name votes once per kind of evidence with its strongest belief: a place in the
    same country, in the same first-level region (or inside a named area such as Donbas), within
    NEAR_KM, and, for regions, another region of the same country (a list of states names states).
    Sums over names are precomputed, so a candidate costs a few dict lookups plus a grid probe.
    """

    def __init__(self, keys, cands, probs):
        self.own: dict = {}
        self.tot_cc: dict = {}
        self.tot_a1: dict = {}
        self.tot_kind: dict = {}
        self.grid: dict[tuple[int, int], list] = {}
        for k in keys:
            cc: dict = {}
            a1: dict = {}
            kind: dict = {}
            for c2, p in zip(cands[k], probs[k]):
                if p < 0.05:
                    continue
                if c2.country_code:
                    cc[c2.country_code] = max(cc.get(c2.country_code, 0.0), p)
                if c2.admin1:
                    a1[c2.admin1] = max(a1.get(c2.admin1, 0.0), p)
                if c2.feature in _REGIONS:
                    kk = (c2.feature, c2.country_code)
                    kind[kk] = max(kind.get(kk, 0.0), p)
                if c2.feature in _LOCAL and c2.country_code:
                    cell = (int(c2.lat // _CELL), int(c2.lon // _CELL))
                    self.grid.setdefault(cell, []).append((c2, p, k))
            self.own[k] = (cc, a1, kind)
            for tot, d in ((self.tot_cc, cc), (self.tot_a1, a1), (self.tot_kind, kind)):
                for x, p in d.items():
                    tot[x] = tot.get(x, 0.0) + p

    def context(self, c: Candidate, k) -> tuple[float, float, float, float]:
        """Weighted votes for ``c``: same country, same first-level region, nearby, same kind of region."""
        cc, a1, kind = self.own[k]
        country = self.tot_cc.get(c.country_code, 0.0) - cc.get(c.country_code, 0.0) if c.country_code else 0.0
        admin1 = self.tot_a1.get(c.admin1, 0.0) - a1.get(c.admin1, 0.0) if c.admin1 else 0.0
        same_kind = 0.0
        if c.feature in _REGIONS:
            kk = (c.feature, c.country_code)
            same_kind = self.tot_kind.get(kk, 0.0) - kind.get(kk, 0.0)
        near = 0.0
        if c.feature in _LOCAL and c.country_code:
            near_by: dict = {}
            inside_by: dict = {}
            ci, cj = int(c.lat // _CELL), int(c.lon // _CELL)
            coslat = max(0.05, math.cos(math.radians(c.lat)))
            span = min(72, 1 + int(1 / coslat))
            for di in (-1, 0, 1):
                for dj in range(-span, span + 1):
                    for c2, p, k2 in self.grid.get((ci + di, (cj + dj + 72) % 144 - 72), ()):
                        if k2 == k:
                            continue
                        # Equirectangular distance: exact enough below a few hundred km, and cheap.
                        dlon = (c2.lon - c.lon + 180.0) % 360.0 - 180.0
                        d2 = ((c2.lat - c.lat) ** 2 + (dlon * coslat) ** 2) * 12364.0  # 111.2 km per degree
                        if d2 < NEAR_KM ** 2:
                            near_by[k2] = max(near_by.get(k2, 0.0), p)
                            if d2 < CONTAIN_KM ** 2 and c2.feature == "region" and not c2.admin1:
                                inside_by[k2] = max(inside_by.get(k2, 0.0), p)
            near = sum(near_by.values())
            admin1 += sum(inside_by.values())
        return (W_COUNTRY_VOTE * min(country, 2.0), W_ADMIN1_VOTE * min(admin1, 2.0), W_NEAR_VOTE * min(near, 2.0),
                W_KIND_VOTE * min(same_kind, 2.0))


_SETTLEMENT_CUE = re.compile(r"\b(?:city|town|village|township|province|district) of $")


def _punctuated(text: str, es: int, ee: int, start: int, end: int) -> bool:
    """Whether a model entity wider than the match only runs on over a comma or dash, which joins two names
    or a name and a number, not the words of one name."""
    after, before = text[end:ee], text[es:start]
    return (es < start or ee > end) and (not after or after.startswith((",", " -", " –"))) and (
        not before or before.endswith((", ", "- ", "– ")))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start].rstrip(" \"'“‘«(")
    return not before or before[-1] in ".!?\n:"


def _softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    es = [math.exp((x - m) * 2.0) for x in xs]
    t = sum(es)
    return [e / t for e in es]


@component("places")
def load() -> Callable:
    resolver = PlaceResolver()

    def places(ctx) -> list[Place]:
        art = ctx.article
        try:
            return resolver(art.text or "", ctx.doc, art.source.country if art.source else None)
        except (ValueError, IndexError, KeyError):  # hostile text must never stop a batch
            return []

    return places
