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
outlet's country. One name is resolved once per article. A doubtful match (a
town the model tagged PERSON, say) is reported only when it resolves into a
country that the article's sure matches also name.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..schema import Place
from .gazetteer import Candidate, Gazetteer, get_gazetteer, normalize

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
_NER_NOT_PLACE = frozenset(("NORP", "WORK_OF_ART", "LAW", "LANGUAGE", "EVENT", "PRODUCT"))


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


# Scoring weights (log10 population units), tuned on GeoVirus.
W_COUNTRY_VOTE = 1.0  # per other place of the same country (up to two)
W_ADMIN1_VOTE = 1.0
W_NEAR_VOTE = 0.5  # another place within NEAR_KM
W_KIND_VOTE = 1.0  # another region of the same country
W_SOURCE = 0.5  # the outlet's country
COUNTRY_BONUS = 1.5
ALIAS_PENALTY = 0.7
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
        base = max(math.log10(c.population + 1), 6.0) if c.population else 6.5
    elif c.feature == "admin2":
        base = math.log10(c.population + 1000) - ADMIN2_PENALTY
    else:
        base = math.log10(c.population + 1000)
    return base - (ALIAS_PENALTY if c.alias else 0.0)


class PlaceResolver:
    def __init__(self, gazetteer: Optional[Gazetteer] = None):
        from spacy.lang.en.stop_words import STOP_WORDS

        self.gaz = gazetteer or get_gazetteer()
        self.stop = _STOP | {normalize(w) for w in STOP_WORDS}

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

            def named(k: int) -> bool:
                """A capitalised neighbour that makes the match part of a longer name
                ("Medical" in "Chief Medical Officer"), not a sentence-initial or generic word."""
                w = text[words[k][0]:words[k][1]]
                if not w[0].isupper() or normalize(w) in self.stop or normalize(w) in _GENERIC:
                    return False
                return words[k][0] in proper if proper is not None else not _sentence_initial(text, words[k][0])

            # A possessive closes a name: "Steele's Texas", "Rome's Gemelli hospital".
            cut = [k for k in range(run_start, i) if text.endswith(_POSSESSIVE, *words[k])]
            left = range(cut[-1] + 1 if cut else run_start, i)
            right = range(j + 1, run_end + 1) if not text.startswith(_POSSESSIVE, end) else range(0)
            rest = [text[words[k][0]:words[k][1]] for k in right]
            office = bool(rest) and rest[0] in _OFFICE_CUES and not any(
                w.lower().removesuffix("'s").removesuffix("’s") in _FACILITY_CUES for w in rest)
            partial = any(named(k) for k in left) or not office and any(named(k) for k in right)
            m = self._judge(text, s0, end, list(cands), ner, proper, person_words, partial, office)
            if m is not None:
                mentions.append(m)
            i = j + 1
        return mentions

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
            elif label in _NER_NOT_PLACE and label != "PRODUCT":
                return None
            elif office and (es < start or ee > end):
                support = 0.4  # the place of a public body; a weak match stays tentative
            elif es < start or ee > end:
                # The country of an organisation that begins with it ("U.S. Army") or of a public body
                # ("Health Ministry of Uganda") is a place; inside a company's or outlet's name it is not
                # ("Agence France-Presse", "Voice of America").
                lead = text[es:start]
                if not (label == "ORG" and any(c.feature == "country" for c in cands) and (
                        lead.lower() in ("", "the ") or any(w in _OFFICE_CUES for w in _WORD.findall(lead)))):
                    return None
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
        groups: dict[tuple[str, bool], list[_Mention]] = {}
        for m in mentions:
            groups.setdefault((m.key, m.region_cue), []).append(m)
        keys = list(groups)
        # The most prominent candidates suffice ("Washington" has hundreds) and bound the work.
        cands = {k: sorted(groups[k][0].candidates, key=_prior, reverse=True)[:MAX_CANDIDATES] for k in keys}
        priors = {k: [_prior(c) - (SHADOW_PENALTY if c.id in groups[k][0].shadowed else 0.0) for c in cands[k]]
                  for k in keys}

        # "Paris, Texas": a name followed by ", " and a region or country that contains it.
        bonus: dict[tuple, list[float]] = {k: [0.0] * len(cands[k]) for k in keys}
        # Not inside a comma-separated list, where the next item is a sibling ("Virginia, Washington,
        # West Virginia and Wyoming"), not a container.
        for prev, a, b in zip([None, *mentions], mentions, mentions[1:]):
            if text[a.end:b.start] != ", " or prev is not None and text[prev.end:a.start] == ", ":
                continue
            ka, kb = (a.key, a.region_cue), (b.key, b.region_cue)
            for ia, ca in enumerate(cands[ka]):
                for ib, cb in enumerate(cands[kb]):
                    if ca is cb or ca.feature == "country":
                        continue
                    inside = (cb.feature == "country" and cb.country_code == ca.country_code) or \
                        (cb.feature == "region" and cb.admin1 and cb.admin1 == ca.admin1)
                    if inside:
                        bonus[ka][ia] = max(bonus[ka][ia], 4.0)
                        bonus[kb][ib] = max(bonus[kb][ib], 2.0)

        probs = {k: _softmax([p + b for p, b in zip(priors[k], bonus[k])]) for k in keys}
        for _ in range(2):
            votes = _Votes(keys, cands, probs)
            new = {}
            for k in keys:
                scores = []
                for idx, c in enumerate(cands[k]):
                    s = priors[k][idx] + bonus[k][idx] + votes.context(c, k)
                    if source_country and c.country_code == source_country:
                        s += W_SOURCE
                    scores.append(s)
                new[k] = _softmax(scores)
            probs = new
        return groups, cands, probs

    # ------------------------------------------------------------ component

    def __call__(self, text: str, doc=None, source_country: Optional[str] = None) -> list[Place]:
        if not text:
            return []
        mentions = self._detect(text, doc)
        if not mentions:
            return []
        groups, cands, probs = self._resolve(mentions, text, (source_country or "").upper() or None)
        sent_starts = [s.start_char for s in doc.sents] if doc is not None else None
        chosen = {k: cands[k][max(range(len(probs[k])), key=probs[k].__getitem__)] for k in groups}
        sure_countries = {c.country_code for k, c in chosen.items() if not all(m.tentative for m in groups[k])}
        places = []
        for k, ms in groups.items():
            c = chosen[k]
            if all(m.tentative for m in ms) and c.country_code not in sure_countries:
                continue  # a doubtful name with no support from the article's other places
            ps = probs[k]
            best = cands[k].index(c)
            support = max(m.support for m in ms)
            conf = round(ps[best] * (0.5 + 0.5 * support), 3)
            for m in ms:
                sent = bisect.bisect_right(sent_starts, m.start) - 1 if sent_starts else None
                places.append(Place(
                    text=m.text, start=m.start, end=m.end, name=c.name, geonames_id=c.geonames_id,
                    feature=c.feature if c.feature in ("city", "country") else "region", country_code=c.country_code,
                    admin1=c.admin1, lat=c.lat, lon=c.lon, sentence=sent, confidence=conf,
                ))
        places.sort(key=lambda p: p.start)
        return places


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

    def context(self, c: Candidate, k) -> float:
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
        return W_COUNTRY_VOTE * min(country, 2.0) + W_ADMIN1_VOTE * min(admin1, 2.0) + \
            W_NEAR_VOTE * min(near, 2.0) + W_KIND_VOTE * min(same_kind, 2.0)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start].rstrip(" \"'“‘«(")
    return not before or before[-1] in ".!?\n:"


def _softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    es = [math.exp((x - m) * 2.0) for x in xs]
    t = sum(es)
    return [e / t for e in es]


def load() -> Callable:
    resolver = PlaceResolver()

    def places(ctx) -> list[Place]:
        art = ctx.article
        try:
            return resolver(art.text or "", ctx.doc, art.source.country if art.source else None)
        except (ValueError, IndexError, KeyError):  # hostile text must never stop a batch
            return []

    return places
