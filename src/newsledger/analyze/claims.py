"""Claims: the events a text states, who does them to whom, where, when,
how firmly, and on whose word.

A claim is anchored on a trigger found with the dependency parse: a verb or
noun lemma, or a multi-word phrase, from ``data/triggers.json`` (documented
in ``data/plover_mapping.md``). Types are PLOVER's sixteen event categories
plus three territorial-control types (TAKE_CONTROL, LOSE_CONTROL,
CONTESTED). Territorial triggers ("capture", "withdraw", "fighting for")
only count when their argument is a place; otherwise they fall back to a
PLOVER type ("captured soldiers" is COERCE) or to nothing.

Arguments come from the parse: subjects and "by" agents are actors, objects
and "of"/"from"/"for" complements are places or targets; possessives and
"of" complements of nominal triggers ("Seversk’s fall", "the liberation of
X"). Actor phrases are normalised to an ISO 3166-1 alpha-3 code and a sector
with ``data/actors.json`` then country names, demonyms and capitals.

When a territorial claim names no actor, the actor is inferred (confidence
0.5, ``basis`` "inferred:..." on the actor; a place carried over from the
headline is ``basis`` "inferred:context"): a capture framed as "liberation" is credited to the publishing outlet's
country when known; otherwise to the actor of another claim about the same
place, else to the military actor the article mentions most.

Modality, in order of precedence: questioned ("?" or "whether"), conditional
(an "if"/"unless" clause), denied (negation, "no ...", a complement of
"deny", or a disowned report: "rejected claims that", "no truth to reports
that", "fakes about"; the denier joins ``attributions`` with role "denies"), predicted
(will/would/may/could, "is expected to", "plans to"...), else asserted. A
conditional coercive or violent act ("if ..., we will take it by force") is a
THREATEN claim; an act inside the condition itself is not.

"we"/"our" inside a quote is the speaker's side (speaker descriptor, name,
apposition); failing that, for military claims, the outlet's country at
confidence 0.4. Armed actors without a nationality take the country of the
claim's place (ACLED's convention for non-state groups). See
``data/plover_mapping.md``.

``attributions`` (each with a role: asserts | denies | reports): the outlet
(asserting text in its own voice, reporting what a speaker says), and the speaker of
any quote overlapping the sentence (from the quotes component, or when it
produced nothing, the subject of a reporting verb in the sentence or the
previous sentence's speaker for a quote that runs on). A trigger inside a
direct quote is asserted by the speaker only.

Dates: the first date expression in the sentence, resolved against the
publication date (``dates.py``); failing that, narrated past events
(asserted or denied, past tense) get the publication date as an upper bound
with ``date_text`` None and the claim's confidence lowered by 0.1.

Confidence: 0.8 for verb and phrase triggers, 0.7 for nouns; 0.1 less for a
publication-date fallback or an anaphoric place; at most 0.5 with an
inferred actor; at most 0.3 when nothing grounds the claim (no coded actor,
coded target or place), which filters most off-topic matches.

Claims within a sentence are ordered main clause first (by parse depth),
so the first claim of a sentence is its main event. At most one claim per
type and sentence is kept (the one with the most arguments). A sentence
whose parse trips a rule is skipped with a logged warning, never the batch.

Claim types keep modality separate; ``plover_category`` converts a claim
to the category PLOVER itself would assign (see ``data/plover_mapping.md``).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

from ..schema import Actor, Attribution, Claim, ClaimPlace, Mention
from .dates import find_date

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent.parent / "data"
UNGROUNDED_CONFIDENCE = 0.3
TERRITORIAL = {"TAKE_CONTROL", "LOSE_CONTROL", "CONTESTED"}
# A conditional act of force is a threat (PLOVER codes threats by content).
THREAT_CONVERTIBLE = {"ASSAULT", "COERCE", "SANCTION", "TAKE_CONTROL", "MOBILIZE"}
# Verbal acts whose clausal complement is their content, not a second event.
SPEECH_TYPES = {"THREATEN", "REQUEST", "AGREE", "REJECT", "ACCUSE", "SUPPORT"}
REPORTING = {"warn", "acknowledge", "admit", "say", "tell", "add", "claim", "state", "announce", "report", "write", "note", "stress", "emphasize",
             "emphasise", "sum", "explain", "insist", "argue", "confirm", "assert", "declare", "remark", "tweet"}
DENIAL_VERBS = {"deny", "refute", "dismiss"}
# "rejected claims that X had fallen": these deny a claim noun they govern, not every complement
CLAIM_DENIAL_VERBS = DENIAL_VERBS | {"reject", "debunk", "dispute", "deride", "ridicule"}
CLAIM_NOUNS = {"claim", "report", "rumour", "rumor", "allegation", "assertion", "statement", "suggestion", "story"}
# A claim the sentence calls false: "spreading fakes about the capture of X", "baseless reports that ..."
FALSEHOOD_NOUNS = {"fake", "fakes", "disinformation", "misinformation", "lie", "lies", "propaganda", "hoax",
                   "fabrication", "falsehood", "myth", "fiction", "canard"}
FALSE_ADJ = {"false", "baseless", "fake", "unfounded", "untrue", "fabricated", "bogus", "groundless"}
FUTURE_AUX = {"will", "shall", "would", "may", "might", "could", "'ll", "’ll"}
# Heads that make an act an attempt: "tried to storm", "failed to seize"; intentions count when
# they are past ("intended to take X but were pushed back").
ATTEMPT_HEADS = {"try", "attempt", "seek", "fail", "unable", "struggle"}
INTENT_HEADS = {"intend", "plan", "aim", "mean", "want"}
ATTEMPT_NOUNS = {"attempt", "bid", "effort", "offensive", "counteroffensive", "push", "drive", "operation"}
FUTURE_HEADS = {"willing", "ready", "prepared", "committed", "expect", "plan", "intend", "prepare", "aim", "seek", "want", "vow", "hope", "set", "go", "likely",
                "poise", "threaten", "promise", "pledge", "try", "attempt", "mean", "scheme", "plot"}
# Verbs that stop a cooperative act: "halted aid", "cancelled a visit" are sanctions.
HALT_VERBS = {"halt", "suspend", "cancel", "end", "stop", "prohibit", "reduce", "cut", "freeze", "withdraw", "terminate",
              "break", "curtail"}
COOPERATIVE = {"AID", "CONSULT", "COOPERATE", "AGREE"}
# Acts that are protests when civilians do them: "workers blocked the bridge".
PROTEST_COERCE = {"block", "blockade", "occupy", "barricade"}
STREET_PROTEST = {"riot", "rally", "march", "demonstrate", "picket", "demonstration"}
# Light verbs whose object noun names the event ("launched strikes", "imposed sanctions").
LIGHT_VERBS = {"order", "launch", "impose", "sign", "hold", "conduct", "carry", "stage", "issue", "make", "mount", "begin",
               "start", "resume", "announce", "reach", "give", "deliver", "send", "provide", "continue"}
PLACE_HEADS = {"village", "town", "city", "settlement", "hamlet", "position", "positions", "territory", "area",
               "region", "bridgehead", "height", "heights", "airport", "airfield", "plant", "base", "outskirts",
               "district", "stronghold", "oblast", "province", "suburb", "locality", "outpost", "port",
               "agglomeration", "island", "peninsula", "border", "capital", "municipality", "neighbourhood",
               "neighborhood", "bridge", "dam", "station", "railway", "road", "highway", "hill", "front", "line",
               "hall", "building", "headquarters", "facility", "mine", "factory", "checkpoint", "ground",
               "lines", "direction", "farm", "settlements", "villages", "towns", "cities", "territories",
               "camp", "post", "peak", "palace", "township", "commune", "garrison", "barracks", "crossing",
               "neighbourhoods", "neighborhoods", "districts", "positions", "ridge", "valley", "county",
               "corridor", "enclave", "pocket", "outposts", "field", "oilfield"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Words naming a body of people, never a place: "the General Staff", "the ruling coalition".
_BODY_WORDS = re.compile(r"(?i)\b(?:staff|council|committee|ministry|command|forces|party|union|parliament|"
                         r"coalition|government|leadership|alliance|movement|agency|office|service|department|"
                         r"organi[sz]ation|brigade|battalion|army|militia|group|board|assembly|cabinet|"
                         r"majority|talks)\b")
# Words naming a part of a place: "control of X", "the outskirts of X", "X's southern flank".
PART_WORDS = {"control", "outskirts", "bank", "part", "parts", "centre", "center", "rest", "flank", "edge", "sector",
              "all", "most", "half", "remainder", "south", "north", "east", "west"}
NOT_PLACE_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
TIME_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
              "spring", "summer", "autumn", "fall", "winter"}
# Organisational and movement verbs: their purpose clauses state intent, not events.
MOVEMENT_VERBS = {"form", "create", "establish", "set", "dispatch", "send", "deploy", "redeploy", "move", "mass",
                  "station", "arrive", "transfer", "bring", "rush", "relocate", "regroup", "assemble", "train",
                  "recruit", "mobilize", "mobilise", "reinforce", "position"}
DESTINATION_PREPS = {"to", "towards", "toward", "into"}
# Objects of a controlling verb that say the control is partial: "control about half of X".
PARTIAL_WORDS = {"half", "part", "parts", "some", "pockets", "sections", "quarters"}
LOCATIVE_PREPS = {"in", "at", "near", "outside", "around", "across", "inside", "on"}
SETTLEMENT_HEADS = {"city", "town", "village", "settlement", "hamlet"}
ARMED_SECTORS = {"military", "rebel", "police"}
# Claim types that make a first-person-plural actor a party to the fighting.
MILITARY_TYPES = {"ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "RETREAT"}
FIRST_PERSON_GUESS_CONFIDENCE = 0.4
UNIT_NOUNS = {"group", "unit", "team", "squad", "brigade", "battalion", "force", "troop", "helicopter", "drone",
              "aircraft", "plane", "jet", "vehicle", "boat", "ship", "submarine", "craft", "rifle", "weapon"}
PRONOUNS = {"we", "they", "he", "she", "it", "i", "you", "us", "them", "our", "their", "this", "that", "who", "which"}


# ---------------------------------------------------------------- resources


@dataclass
class ActorTable:
    actors: list[tuple[re.Pattern, str, Optional[str]]]
    sectors: list[tuple[re.Pattern, str]]
    countries: re.Pattern
    country_code: dict[str, str]  # lowercase country name, demonym or capital -> iso3
    demonym: dict[str, str]  # iso3 -> demonym


@dataclass
class Triggers:
    verbs: dict[str, dict]
    nouns: dict[str, dict]
    phrases: re.Pattern
    phrase_specs: list[dict]


def _words(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags)


@lru_cache(maxsize=1)
def triggers() -> Triggers:
    d = json.loads((DATA / "triggers.json").read_text(encoding="utf-8"))
    # one scan per sentence: every phrase is a named alternative of a single pattern
    specs = [{k: v for k, v in p.items() if k != "pattern"} for p in d["phrases"]]
    combined = _words("|".join(f"(?P<p{i}>{p['pattern']})" for i, p in enumerate(d["phrases"])))
    return Triggers(d["verbs"], d["nouns"], combined, specs)


@lru_cache(maxsize=1)
def actor_table() -> ActorTable:
    from countryinfo import all_countries

    d = json.loads((DATA / "actors.json").read_text(encoding="utf-8"))
    actors = [(_words(a["pattern"], 0 if a.get("case_sensitive") else re.IGNORECASE), a["code"], a.get("sector"))
              for a in d["actors"]]
    sectors = [(_words(s["pattern"]), s["sector"]) for s in d["sectors"]]
    names: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for c in all_countries():
        info = c.info()
        iso3 = (info.get("ISO") or {}).get("alpha3")
        if not iso3:
            continue
        cands = [info.get("name")] + [a for a in info.get("altSpellings") or [] if len(a) > 3]
        for n in cands:
            if n and n.isascii():
                names.setdefault(n.lower(), iso3)
        dem = info.get("demonym")
        if dem and dem.isascii():
            names.setdefault(dem.lower(), iso3)
            demonyms.setdefault(iso3, dem)
        caps = info.get("capital") or []
        for cap in [caps] if isinstance(caps, str) else caps:
            if cap and cap.isascii():
                names.setdefault(cap.split(" D.C.")[0].lower(), iso3)
    alts = sorted(names, key=len, reverse=True)
    # "Vietnamese-led forces" are coded with the leading country
    countries = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, alts)) + r")(?:'s|’s|-led)?(?![\w-])",
                           re.IGNORECASE)
    return ActorTable(actors, sectors, countries, names, demonyms)


def iso3_of_iso2(iso2: Optional[str]) -> Optional[str]:
    if not iso2:
        return None
    return _iso2_map().get(iso2.upper())


@lru_cache(maxsize=1)
def _iso2_map() -> dict[str, str]:
    from countryinfo import all_countries

    out = {}
    for c in all_countries():
        iso = c.info().get("ISO") or {}
        if iso.get("alpha2") and iso.get("alpha3"):
            out[iso["alpha2"]] = iso["alpha3"]
    return out


def normalize_actor(text: str, start: Optional[int] = None, end: Optional[int] = None) -> Optional[Actor]:
    """An actor phrase -> Actor with ISO3 code and sector; None for pronouns and empty phrases."""
    phrase = " ".join(text.split())
    if not phrase or phrase.lower() in PRONOUNS:
        return None
    shown = phrase
    if start is not None and end is not None:
        # a mention shows the exact text at its offsets (matching still sees
        # the collapsed phrase), without the whitespace tokens a span may end in
        start += len(text) - len(text.lstrip())
        end -= len(text) - len(text.rstrip())
        shown = text.strip()
    tab = actor_table()
    for rx, code, sector in tab.actors:
        m = rx.search(phrase)
        if m:
            # the head noun outside the matched name decides: "the Kiev regime's forces" are military
            tail = phrase[m.end():].split()
            head_sector = _sector(tail[-1]) if tail else None
            if sector == "rebel":
                head_sector = None  # "Hezbollah fighters", "M23 troops": a non-state group stays one
            return Actor(text=shown, code=code, sector=head_sector or sector or _sector(phrase), start=start, end=end)
    m = tab.countries.search(phrase)
    if m:
        code = tab.country_code[m.group(1).lower()]
        return Actor(text=shown, code=code, sector=_sector(phrase) or "government", start=start, end=end)
    return Actor(text=shown, code=None, sector=_sector(phrase), start=start, end=end)


def _sector(phrase: str) -> Optional[str]:
    for rx, sector in actor_table().sectors:
        if rx.search(phrase):
            return sector
    return None


# ---------------------------------------------------------------- per-article state


@dataclass
class _Doc:
    ctx: Any
    text: str
    places: list
    ents: list[tuple[int, int, str, str]]  # start, end, label, text
    quoted: list[tuple[int, int]]  # direct-quote spans
    claims: list[tuple[int, int, int, Claim]] = field(default_factory=list)  # (sentence start, depth, order, claim)
    last_speaker: Optional[Attribution] = None
    _dominant: Any = None

    def place_at(self, start: int, end: int):
        for p in self.places:
            if p.start < end and start < p.end:
                return p
        return None

    def ent_at(self, start: int, end: int, labels=None):
        for s, e, label, t in self.ents:
            if s < end and start < e and (labels is None or label in labels):
                return s, e, label, t
        return None

    def in_quote(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.quoted)


def _entities(ctx) -> list[tuple[int, int, str, str]]:
    if ctx.entities:
        return [(e.start, e.end, e.label, e.text) for e in ctx.entities]
    if ctx.doc is not None:
        return [(e.start_char, e.end_char, e.label_, e.text) for e in ctx.doc.ents]
    return []


_QUOTE_SPAN = re.compile(r"“[^”]{1,2000}”|\"[^\"\n]{1,2000}\"")


def _quoted_spans(ctx) -> list[tuple[int, int]]:
    if ctx.quotes:
        return [(q.start, q.end) for q in ctx.quotes if q.kind in ("direct", "partial")]
    # Without the quotes component, quotation marks delimit direct speech.
    return [(m.start(), m.end()) for m in _QUOTE_SPAN.finditer(ctx.article.text or "")]


# ---------------------------------------------------------------- parse helpers


def _depth(tok) -> int:
    d = 0
    while tok.head != tok and d < 50:
        tok, d = tok.head, d + 1
    return d


def _span(tok, limit: int = 12):
    """The phrase a token heads, without leading punctuation or trailing clauses."""
    # coordinated premodifiers stay ("Hungarian and Romanian officials"), trailing clauses go
    toks = [t for t in tok.subtree if t == tok or t.dep_ not in ("relcl", "acl", "appos", "punct", "cc", "conj")
            or (t.dep_ in ("cc", "conj") and t.i < tok.i)]
    toks = [t for t in toks if abs(t.i - tok.i) <= limit]
    left = [t for t in toks if t.i <= tok.i]
    # keep only the contiguous run around the head
    lo = tok.i
    for t in reversed(left):
        if t.i == lo - 1:
            lo = t.i
    hi = tok.i
    for t in sorted(toks, key=lambda t: t.i):
        if t.i == hi + 1:
            hi = t.i
    return tok.doc[lo:hi + 1]


def _children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def _prep_objs(tok, *preps):
    out = []
    for c in tok.children:
        if c.dep_ in ("prep", "agent", "prt") and c.lower_ in preps:
            out += [(c.lower_, o) for o in c.children if o.dep_ in ("pobj", "pcomp")]
            # "in and around X": the object hangs off the coordinated preposition
            out += [(c.lower_, o) for c2 in c.children if c2.dep_ == "conj" and c2.pos_ == "ADP"
                    for o in c2.children if o.dep_ == "pobj"]
        if c.dep_ in ("prep", "prt", "advmod") and c.lower_ in ("out", "away", "back"):
            # complex prepositions: "out of X", "away from X", "back from X"
            for c2 in c.children:
                if c2.dep_ == "prep" and c2.lower_ in preps:
                    out += [(c2.lower_, o) for o in c2.children if o.dep_ in ("pobj", "pcomp")]
    return out


def _particle(tok) -> Optional[str]:
    for c in tok.children:
        if c.dep_ in ("prt", "prep", "advmod") and c.lower_ in ("out", "back", "away"):
            return c.lower_
    return None


def _subject(tok):
    """The subject of a verb, inherited through conjunction, xcomp and relative-clause chains."""
    node, hops = tok, 0
    while hops < 6:
        subs = _children(node, "nsubj", "csubj") + (_children(node, "nsubjpass") if node != tok else [])
        if subs:
            return subs[0]
        agents = [o for p, o in _prep_objs(node, "by") if p == "by"]
        if agents and _children(node, "nsubjpass"):
            return agents[0]
        if node.dep_ in ("conj", "xcomp", "advcl", "acomp") and node.head != node:
            node, hops = node.head, hops + 1
            continue
        if node.dep_ == "relcl":
            return node.head
        return None
    return None


def _governing_verb(tok):
    node, hops = tok, 0
    while node.pos_ not in ("VERB", "AUX") and node.head != node and hops < 6:
        node, hops = node.head, hops + 1
    return node if node.pos_ in ("VERB", "AUX") else None


# ---------------------------------------------------------------- place / actor arguments


def _is_place(d: _Doc, tok) -> bool:
    if tok.ent_type_ in NOT_PLACE_ENTS or tok.lower_ in TIME_WORDS:
        return False
    sp = _span(tok)
    if d.place_at(tok.idx, tok.idx + len(tok)):
        return True
    if _names_a_body(d, tok):
        return False
    if tok.lower_ in PLACE_HEADS or tok.lemma_.lower() in PLACE_HEADS:
        return True
    if tok.lower_ in PART_WORDS:
        inner = _place_token(tok)
        return inner != tok and _is_place(d, inner)
    if d.ent_at(tok.idx, tok.idx + len(tok), PLACE_LABELS):
        return True
    if tok.pos_ == "PROPN" or (tok.dep_ in ("advmod", "npadvmod") and tok.is_title and tok.is_alpha):
        act = normalize_actor(sp.text)
        # Unknown proper names after a territorial trigger are mostly toponyms the small model mislabels.
        return act is None or act.code is None or act.text.lower() in actor_table().country_code
    return False


def _names_a_body(d: _Doc, tok) -> bool:
    """"the General Staff", "the National Security Council": a headquarters, organisation or group
    named by its own words is never the place of a claim (a building is: "the council building")."""
    if tok.lemma_.lower() in PLACE_HEADS or tok.lower_ in PLACE_HEADS:
        return False
    name = " ".join(t.text for t in tok.subtree if t.dep_ in ("compound", "amod") or t == tok)
    ent = d.ent_at(tok.idx, tok.idx + len(tok), {"ORG"})
    return bool(_BODY_WORDS.search(ent[3] if ent else name))


def _place_token(tok):
    """'the village of X' -> X; otherwise the token itself."""
    if tok.lower_ in PART_WORDS:
        for p, o in _prep_objs(tok, "of"):
            return _place_token(o)
        for c in tok.children:
            if c.dep_ == "poss" and c.pos_ == "PROPN":
                return c  # "Avdiivka's southern flank"
    if tok.lower_ in PLACE_HEADS or tok.lemma_.lower() in PLACE_HEADS:
        for p, o in _prep_objs(tok, "of"):
            if o.pos_ == "PROPN":
                return o
        for c in tok.children:
            if c.dep_ in ("appos", "compound") and c.pos_ == "PROPN" and c.ent_type_ not in ("NORP",):
                # "the town Kupiansk" / "Pokrovsk city" name the place directly
                if c.dep_ == "appos" or c.i > tok.i - 2:
                    return c if c.dep_ == "appos" else tok
    return tok


def _claim_place(d: _Doc, tok) -> ClaimPlace:
    tok = _place_token(tok)
    sp = _span(tok)
    # Only a place the head word names: "the strategic Donbass city" is a city, not the Donbas;
    # but "Kherson city" names the city Kherson.
    p = d.place_at(tok.idx, tok.idx + len(tok))
    if p is None and tok.lower_ in SETTLEMENT_HEADS:
        for c in tok.children:
            if c.dep_ == "compound":
                q = d.place_at(c.idx, c.idx + len(c))
                if q is not None and q.feature == "city":
                    p = q
    if p is not None:
        return ClaimPlace(text=p.text, name=p.name or p.text, geonames_id=p.geonames_id,
                          country_code=p.country_code, lat=p.lat, lon=p.lon, start=p.start, end=p.end)
    if tok.pos_ == "PROPN" or (tok.dep_ in ("advmod", "npadvmod") and tok.is_title):
        s = tok.idx
        e = tok.idx + len(tok)
        # extend over a multi-word name ("Chasiv Yar")
        for c in tok.children:
            if c.dep_ == "compound" and c.pos_ == "PROPN":
                s = min(s, c.idx)
        name = d.text[s:e]
        return ClaimPlace(text=name, name=name, start=s, end=e)
    return ClaimPlace(text=sp.text, name=None, start=sp.start_char, end=sp.end_char)


def _clause_owner(tok) -> Optional[Actor]:
    """The coded subject of an enclosing clause: "Kyiv said (it / its troops / troops) ..."."""
    for anc in tok.ancestors:
        for subj in _children(anc, "nsubj"):
            if subj != tok and subj.i < tok.i and subj.lower_ not in PRONOUNS:
                owner = normalize_actor(_span(subj, limit=8).text)
                if owner is not None and owner.code:
                    return owner
    return None


def _actor_of(tok) -> Optional[Actor]:
    if tok is None:
        return None
    sp = _span(tok, limit=8)
    if tok.lower_ in PRONOUNS:
        if tok.lower_ in ("it", "they") and tok.dep_ in ("nsubj", "nsubjpass"):
            owner = _clause_owner(tok)
            if owner is not None:
                return Actor(text=tok.text, code=owner.code, sector=owner.sector, start=tok.idx,
                             end=tok.idx + len(tok))
        if tok.lower_ in ("we", "us"):
            return Actor(text=tok.text, start=tok.idx, end=tok.idx + len(tok))  # resolved by _first_person
        return None
    actor = normalize_actor(sp.text, sp.start_char, sp.end_char)
    if actor is not None and actor.code is None and actor.sector in ("military", "government", "police") and (
            any(t.dep_ == "poss" and t.pos_ == "PRON" for t in sp) or not any(t.dep_ == "det" for t in sp)):
        # "Kyiv denied that its troops ...", "Ukraine's commander said troops were ..."
        owner = _clause_owner(tok)
        if owner is not None:
            actor.code = owner.code
    return actor


# ---------------------------------------------------------------- modality


def _chain(tok):
    chain, node, hops = [tok], tok, 0
    while node.dep_ in ("xcomp", "conj", "dobj", "pobj", "prep", "nsubj", "nsubjpass", "compound", "amod", "acomp",
                        "poss", "attr", "pcomp") and node.head != node and hops < 8:
        node, hops = node.head, hops + 1
        chain.append(node)
    return chain


def _in_condition(tok) -> bool:
    return any(node.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in node.children)
               for node in [tok, *tok.ancestors])


def _modality(tok, sent) -> str:
    if sent.text.rstrip(" ”\"'’").endswith("?"):
        return "questioned"
    chain = _chain(tok)
    ancestors = list(tok.ancestors)
    for node in chain + ancestors:
        if node.lower_ == "whether" or any(c.dep_ == "mark" and c.lower_ == "whether" for c in node.children):
            return "questioned"
    for node in [tok] + ancestors:
        for c in node.children:
            if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children):
                if not (c == tok or c in tok.ancestors):
                    return "conditional"
        if node.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in node.children):
            return "conditional"
    for node in chain:
        if any(c.dep_ == "neg" or c.lower_ in ("never",) for c in node.children):
            return "denied"
        if any(c.dep_ in ("nsubj", "nsubjpass") and any(g.lower_ == "no" for g in c.children) for c in node.children):
            return "denied"
    for node in chain + ancestors:
        if node.lemma_.lower() in DENIAL_VERBS and node != tok:
            return "denied"
    if _reported_denial(tok) is not None:
        return "denied"
    if _attempted(tok, chain):
        return "attempted"
    if _reported_claim(tok) is not None:
        return "reported"
    for node in chain:
        for c in node.children:
            if c.dep_ == "aux" and (c.lower_ in FUTURE_AUX or c.lemma_.lower() in ("will", "shall")):
                return "predicted"
        if node != tok and node.lemma_.lower() in FUTURE_HEADS:
            return "predicted"
    return "asserted"


def _attempted(tok, chain) -> bool:
    """An attempt, not an outcome: "tried to storm X", "failed to seize X", "intended to take X"
    (an intention in the past tense), "an attempt/offensive to capture X"."""
    for node in chain:
        if node == tok:
            continue
        lemma = node.lemma_.lower()
        if lemma in ATTEMPT_HEADS:
            return True
        if lemma in INTENT_HEADS and node.tag_ == "VBD":
            return True
    node, hops = tok, 0
    while hops < 4 and node.head != node:
        if node.dep_ in ("acl", "relcl") and node.head.lemma_.lower() in ATTEMPT_NOUNS:
            return True
        if node.dep_ not in ("xcomp", "conj", "aux", "acl", "relcl"):
            break
        node, hops = node.head, hops + 1
    return False


def _reported_claim(tok):
    """The claim noun a claim is reported under, not endorsed: "Russian claims that the town has
    been captured", "reports that rebels had entered X" (a disowned one is a denial instead)."""
    for anc in tok.ancestors:
        if anc.pos_ == "NOUN" and anc.lemma_.lower() in CLAIM_NOUNS:
            return anc
        if anc.pos_ in ("VERB", "AUX") and anc.dep_ not in ("ccomp", "acl", "relcl", "xcomp", "conj"):
            return None
    return None


def _reported_denial(tok):
    """The word that disowns a reported claim containing ``tok``: a falsehood noun ("fakes about"),
    a claim noun called false or governed by a denial verb ("rejected claims that"), or "no truth
    to reports that"."""
    for anc in tok.ancestors:
        lemma = anc.lemma_.lower()
        if anc.pos_ in ("NOUN", "PROPN") and (lemma in FALSEHOOD_NOUNS or anc.lower_ in FALSEHOOD_NOUNS):
            return anc
        if anc.pos_ == "NOUN" and lemma in CLAIM_NOUNS:
            head = anc.head
            if any(c.dep_ == "amod" and c.lower_ in FALSE_ADJ for c in anc.children):
                return anc
            if head.lemma_.lower() in CLAIM_DENIAL_VERBS:
                return head
            if (head.lower_ == "to" and head.head.lower_ in ("truth", "basis", "substance")
                    and any(c.lower_ == "no" for c in head.head.children)):
                return head.head
    return None


def _denier(tok):
    """Who denies: the subject of the denial verb above the trigger, else of the sentence's main verb."""
    for anc in tok.ancestors:
        if anc.lemma_.lower() in CLAIM_DENIAL_VERBS and anc.pos_ == "VERB":
            return _subject(anc)
    word = _reported_denial(tok)
    if word is not None:
        root = tok.sent.root
        if word.lemma_.lower() in FALSEHOOD_NOUNS or word.lower_ in FALSEHOOD_NOUNS:
            # "the occupiers are spreading fakes about X": whoever spreads the fake asserts X; the
            # denier is whoever says so ("bloggers accused Kyiv of spreading fakes"), else the speaker
            spreader = _governing_verb(word)
            if spreader is None or spreader == root:
                return None
        return _subject(root) if root != tok else None
    return None


# ---------------------------------------------------------------- trigger detection


@dataclass
class _Trig:
    tok: Any  # anchor token
    start: int
    end: int
    spec: dict
    kind: str  # verb | noun | phrase


def _find_triggers(sent, trig: Triggers) -> list[_Trig]:
    found: list[_Trig] = []
    covered: set[int] = set()
    base = sent.start_char
    tokens = list(sent)
    for m in trig.phrases.finditer(sent.text):
        s, e = base + m.start(), base + m.end()
        toks = [t for t in tokens if s <= t.idx < e]
        if not toks or any(t.i in covered for t in toks):
            continue
        anchor = min(toks, key=_depth)
        covered.update(t.i for t in toks)
        found.append(_Trig(anchor, s, e, trig.phrase_specs[int(m.lastgroup[1:])], "phrase"))
    for t in tokens:
        if t.i in covered:
            continue
        if (t.lower_ in ("must", "should") and t.dep_ == "aux" and t.head.dep_ == "ccomp"
                and t.head.head.lemma_.lower() in REPORTING | {"insist", "reiterate", "declare", "conclude"}):
            # "X said Y must do Z": X demands it of Y
            found.append(_Trig(t, t.idx, t.idx + len(t), {"type": "REQUEST", "demand": True}, "phrase"))
            continue
        # Most tokens are neither verbs nor nouns: read the lemma only for those that are.
        pos = t.pos_
        if pos == "VERB":
            lemma = t.lemma_.lower()
            if lemma in trig.verbs:
                found.append(_Trig(t, t.idx, t.idx + len(t), trig.verbs[lemma], "verb"))
        elif pos in ("NOUN", "PROPN"):
            lemma = t.lemma_.lower()
            if lemma in trig.nouns or t.lower_ in trig.nouns:
                found.append(_Trig(t, t.idx, t.idx + len(t), trig.nouns.get(lemma) or trig.nouns[t.lower_], "noun"))
    return found


def _place_args(d: _Doc, tr: _Trig):
    """Candidate place tokens for a trigger, most specific first."""
    t = tr.tok
    cands = []
    if tr.kind == "noun":
        cands += _children(t, "poss")
        cands += [o for p, o in _prep_objs(t, "of", "for", "over", "from", "in", "near", "around", "on")]
        if t.dep_ in ("nsubj", "nsubjpass") and t.head != t:
            # "Fighting continues for control of X", "fighting was reported around X"
            cands += [o for p, o in _prep_objs(t.head, "for", "over", "around", "in", "near", "at", "on")]
        if t.dep_ == "dobj" and (tr.spec.get("place") in TERRITORIAL or tr.spec.get("type") in TERRITORIAL):
            # "renewed their offensive on Marib": the parser hangs the place on the verb
            cands += [o for p, o in _prep_objs(t.head, "on", "for", "around", "near", "against")]
        if t.dep_ == "ROOT":
            cands += _children(t, "nsubjpass")  # "Aleppo was overrun by ...": a verb the tagger read as a noun
    elif tr.kind == "verb":
        cands += _children(t, "dobj", "nsubjpass")
        cands += [o for p, o in _prep_objs(t, "from", "of", "for", "over", "in", "into", "near", "around", "on",
                                           "toward", "towards", "to", "at")]
        for obj in _children(t, "dobj"):
            # "repelled assaults near Lyman", "struck a facility in Odesa"
            # "battling rebels for the port of X"; but "captured the attention of the General Staff":
            # an "of" complement names the place only of a part or place word
            preps = ("in", "near", "around", "outside", "at", "for")
            if obj.lower_ in PART_WORDS or obj.lemma_.lower() in PLACE_HEADS or obj.lower_ in PLACE_HEADS:
                preps += ("of",)
            cands += [o for p, o in _prep_objs(obj, *preps)]
        if t.tag_ == "VBN" and not _children(t, "dobj", "aux") and t.dep_ in ("advcl", "acl", "acomp", "xcomp",
                                                                              "oprd"):
            # "Seized by Russia in 2022, the plant ...", "the plant remains occupied": the patient is a subject
            cands += _children(t.head, "nsubj", "nsubjpass") + _children(t, "nsubj")
        if t.lemma_.lower() == "fall":
            # "X fell to ...": the small model sometimes tags an unknown toponym subject as an adverb
            cands = [c for c in t.lefts if c.dep_ in ("nsubj", "advmod", "npadvmod") and c.text[:1].isupper()] + cands
    else:
        v = t if t.pos_ in ("VERB", "AUX") else _governing_verb(t)
        scope = {t.i} | ({v.i} if v is not None else set())
        # objects after the phrase within its own clause ("took control of X", not "..., X said")
        cands += [x for x in t.sent if x.idx >= tr.end and x.dep_ in ("pobj", "dobj", "nsubjpass", "conj")
                  and any(a.i in scope for a in x.ancestors)]
        if v is not None:
            cands += _children(v, "dobj")  # "take Odesa by force"
        cands += [x for x in _children(t, "nsubj", "nsubjpass")]
        cands += [o for p, o in _prep_objs(t, "of", "for", "over", "from", "in", "near", "around")]
        # "the town of X remains contested": the subject may hang off a copula or auxiliary;
        # "the garrison in X fell back": the subject's location
        subjects = [x for x in t.sent if x.dep_ in ("nsubj", "nsubjpass") and x.idx < tr.start]
        cands += subjects
        for x in subjects:
            cands += [o for p, o in _prep_objs(x, "in", "at")]
    out = []
    # named places before descriptions ("their ground in Chasiv Yar" is about Chasiv Yar)
    cands.sort(key=lambda c: _place_token(c).pos_ != "PROPN" and not d.place_at(c.idx, c.idx + len(c)))
    for c in cands:
        if c.lower_ == "it" and c.dep_ in ("dobj", "nsubjpass", "pobj"):
            # "landed at Hostomel airport and took it": the nearest place before the pronoun
            c = next((x for x in reversed(list(t.sent)) if x.i < c.i and x.pos_ in ("PROPN", "NOUN")
                      and x.dep_ not in ("compound", "amod") and _is_place(d, x)), c)
        if _is_place(d, c):
            out.append(c)
    return out


def _claim_for(d: _Doc, tr: _Trig, sent) -> Optional[tuple[Claim, int]]:
    t = tr.tok
    spec = tr.spec
    places = _place_args(d, tr)
    prt = _particle(t) if tr.kind == "verb" else None
    if spec.get("particle") and prt not in spec["particle"]:
        return None
    if spec.get("place") == "LOSE_CONTROL" or spec.get("type") == "LOSE_CONTROL":
        # "pulled back towards the capital": a destination is not the place given up
        places = [p for p in places if not (p.dep_ == "pobj" and p.head.lower_ in DESTINATION_PREPS)]
    if spec.get("direct") and not any(p.dep_ in ("dobj", "nsubjpass") for p in places):
        # without a place object a locative is only where it happened ("lost to Al Ahly in Cairo");
        # with one it says where the object is ("left positions in Krynky")
        places = [p for p in places if p.dep_ == "pobj" and (p.head.lower_ in ("of", "over") or p.head.head != t)]
    objs = _children(t, "dobj") if tr.kind in ("verb", "phrase") else []
    if places and not spec.get("type") and not spec.get("enemy_object") and objs and not any(
            o.lower_ == "it" for o in objs) and all(
            p.dep_ == "pobj" and p.head.lower_ in LOCATIVE_PREPS for p in places):
        # "captured twelve soldiers near X": the object is not a place; X is only where it happened
        typ = spec.get("other")
    else:
        typ = spec.get("type") or (spec.get("place") if places else spec.get("other"))
    if spec.get("control_preps") and places and not any(
            p.dep_ == "pobj" and p.head.lower_ in spec["control_preps"] for p in places):
        # "clashed near X", "fighting in X": a fight located in a place; control is at stake only in
        # a fight for or over it
        typ = spec.get("other")
    if places and prt and prt in (spec.get("particle_type") or {}):
        typ = spec["particle_type"][prt]
    if typ in TERRITORIAL and prt and (spec.get("particle") or spec.get("particle_type")):
        driven = [o for o in _children(t, "dobj") if o not in places]
        if driven and driven[0].lower_ not in ("them", "him", "it") and (
                (_actor_of(driven[0]) or Actor("")).sector not in ARMED_SECTORS):
            return None  # "the violence drove aid workers out of X": people displaced, not a force
    if tr.kind == "phrase" and typ in TERRITORIAL and _controls_a_non_place(d, tr):
        return None  # "lost control of the ruling coalition"
    if typ in TERRITORIAL and _purpose_of_movement(t):
        return None  # "a brigade was formed to defend the front": a stated purpose, no event
    if typ == "TAKE_CONTROL" and spec.get("partial_type") and (
            any(o.lower_ in PARTIAL_WORDS for o in _children(t, "dobj"))
            or any(c.lower_ in ("partly", "partially") for c in t.children)):
        typ = spec["partial_type"]  # "control about half of X", "partly controlled": the fight goes on
    if places and places[0].dep_ == "pobj" and places[0].head.lower_ in (spec.get("prep_type") or {}):
        typ = spec["prep_type"][places[0].head.lower_]
    passive_loser = None
    if places and spec.get("passive_type") and _children(t, "nsubjpass") and not _children(t, "agent"):
        typ = spec["passive_type"]
        passive_loser = _children(t, "nsubjpass")[0]
    if not typ:
        return None
    all_places = places
    if typ not in TERRITORIAL:
        # only locatives: the object of "accused Moscow" or "pledged ... to Ukraine" is a target, not a place
        places = [p for p in places if (p.pos_ == "PROPN" or d.place_at(p.idx, p.idx + len(p)))
                  and p.dep_ == "pobj" and p.head.lower_ in LOCATIVE_PREPS]
    actor = target = None
    if passive_loser is not None:
        actor = _actor_of(passive_loser)
    elif tr.kind == "verb":
        if t.lemma_.lower() == "fall":
            actor = next((_actor_of(o) for p, o in _prep_objs(t, "to")), None)
        else:
            actor = next((_actor_of(o) for p, o in _prep_objs(t, "by")), None)
            participle = t.tag_ == "VBN" and t.dep_ in ("advcl", "acl") and not _children(t, "aux", "auxpass")
            subj = None if actor is not None or participle else _subject(t)
            if actor is None and subj is not None and not (places and subj == places[0]):
                actor = _actor_of(subj)
        objs = [o for o in _children(t, "dobj", "nsubjpass") if not places or o != places[0]]
        objs += [o for p, o in _prep_objs(t, "against", "on", "at", "with", "to")]
        for o in objs:
            target = _actor_of(o)
            if target is not None and target.code:
                break
            target = None
    elif tr.kind == "noun":
        by = [o for p, o in _prep_objs(t, "by")]
        if not by and t.lemma_.lower() == "fall":
            by = [o for p, o in _prep_objs(t, "to")]  # "the fall of Goma to M23 rebels"
        if by:
            actor = _actor_of(by[0])
        else:
            for c in t.children:
                if c.dep_ == "poss" and c.lower_ in ("its", "their"):
                    # "the army said it had completed its withdrawal": the owner is the clause's subject
                    owner = _clause_owner(c)
                    if owner is not None:
                        actor = Actor(text=c.text, code=owner.code, sector=owner.sector, start=c.idx,
                                      end=c.idx + len(c))
                        break
                if c.dep_ in ("amod", "compound", "poss") and c not in places:
                    a = normalize_actor(c.text, c.idx, c.idx + len(c))
                    if a is not None and a.code:
                        actor = a
                        break
                    if c.dep_ == "poss" and c.pos_ != "PRON":
                        # "the army's withdrawal": an armed owner without a nationality is still the actor
                        a = _actor_of(c)
                        if a is not None and a.sector in ARMED_SECTORS:
                            a.text = re.sub(r"\s*['’]s$", "", a.text)
                            a.end = a.start + len(a.text)
                            actor = a
                            break
        if actor is None:
            v = _governing_verb(t)
            if v is not None and t.dep_ in ("dobj",) and v.lemma_.lower() in LIGHT_VERBS | {"launch"}:
                actor = _actor_of(_subject(v))
        tgt = [o for p, o in _prep_objs(t, "against", "on", "of") if o not in places]
        if tgt:
            target = _actor_of(tgt[0])
            if target is not None and not target.code:
                target = None
    else:
        v = t if t.pos_ in ("VERB", "AUX") else _governing_verb(t)
        if v is not None:
            subj = _subject(v)
            if subj is not None and not (places and subj == places[0]) and subj.idx < tr.start:
                actor = _actor_of(subj)
    military = typ in TERRITORIAL or typ in MILITARY_TYPES
    actor, side_known = _first_person(d, actor, military)
    target, _ = _first_person(d, target, military)
    if actor is not None and actor.code is None and actor.sector is None:
        actor = None if typ in TERRITORIAL else actor
    if typ in TERRITORIAL and spec.get("armed_only") and (actor is None or actor.sector not in ARMED_SECTORS):
        typ = spec.get("other")  # "thousands marched into the capital" is a protest march
        if not typ:
            return None
    if typ in TERRITORIAL and actor is not None and actor.sector == "civilian":
        # "farmers left the city", "residents fled the town": people move, no one loses control
        typ = spec.get("other") if not spec.get("type") else typ
        if not typ:
            return None
    lemma = t.lemma_.lower()
    if typ == "COERCE" and lemma in PROTEST_COERCE and actor is not None and actor.sector in ("civilian", "opposition"):
        typ = "PROTEST"
    elif typ == "PROTEST" and actor is not None and actor.code and actor.sector in ("government", None) \
            and lemma not in STREET_PROTEST:
        typ = "ACCUSE"  # a government's or organisation's protest is diplomatic (PLOVER: ACCUSE)
    elif typ in COOPERATIVE and tr.kind == "noun":
        v = _governing_verb(t)
        if v is not None and v.lemma_.lower() in HALT_VERBS:
            typ = "SANCTION"
            actor = actor or _actor_of(_subject(v))
    if spec.get("demand"):
        clause = t.head
        actor = _actor_of(_subject(clause.head))
        target = _actor_of(next(iter(_children(clause, "nsubj", "nsubjpass")), None))
    modality = _modality(t, sent)
    if modality == "attempted" and spec.get("attempt_type") and all_places:
        typ, places = spec["attempt_type"], all_places  # "tried to storm X" is an attempt to take X
    if modality == "conditional" and typ in THREAT_CONVERTIBLE and not _in_condition(t):
        typ = "THREATEN"  # the promised consequence, not the condition ("unless Israel rescinds its annexation")
    confidence = 0.8 if tr.kind != "noun" else 0.7
    if side_known is False:
        confidence = FIRST_PERSON_GUESS_CONFIDENCE
    place = _claim_place(d, places[0]) if places else _clause_place(d, t, sent, actor, target)
    # the parser's sentence keeps trailing spaces and paragraph breaks; the claim's span does not
    raw = sent.text
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    claim = Claim(type=typ, start=sent.start_char + lead, end=sent.start_char + lead + len(text), sentence=text,
                  actor=actor,
                  target=target, place=place, modality=modality,
                  trigger=Mention(d.text[tr.start:tr.end], tr.start, tr.end), confidence=confidence)
    return claim, _depth(t)


def _controls_a_non_place(d: _Doc, tr: _Trig) -> bool:
    """A control phrase ("took control of", "lost control over") whose object is named and is not a place."""
    words = d.text[tr.start:tr.end].lower().split()
    if "control" not in words or words[-1] not in ("of", "over"):
        return False
    prep = next((x for x in tr.tok.sent if x.idx >= tr.start and x.idx < tr.end and x.lower_ == words[-1]), None)
    objs = _children(prep, "pobj") if prep is not None else []
    return bool(objs) and objs[0].lower_ not in ("it", "them") and not _is_place(d, objs[0])


def _purpose_of_movement(tok) -> bool:
    """"(troops were sent) to defend X": the purpose clause of an organisational or movement verb."""
    node, hops = tok, 0
    while hops < 3 and node.head != node:
        if node.dep_ in ("advcl", "xcomp") and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
            return node.head.lemma_.lower() in MOVEMENT_VERBS
        if node.dep_ != "conj":
            return False
        node, hops = node.head, hops + 1
    return False


_FIRST_PLURAL = re.compile(r"(?i)^(?:we|us|our)\b")


def _first_person(d: _Doc, actor: Optional[Actor], military: bool) -> tuple[Optional[Actor], Optional[bool]]:
    """'we'/'our troops' inside a quote -> the speaker's side. Returns the actor and whether the side
    was known (True), guessed from the outlet's country (False) or not at issue (None).

    The side is the first coded phrase among the quote's speaker descriptor, the speaker's name and
    entity descriptor, and an apposition to the speaker's mention ("Igor Konashenkov, a Russian
    Defence Ministry spokesman"). Failing that, first-person-plural military language ("we took
    the village") from a speaker of unknown nationality is credited to the outlet's country, a weak
    guess (an outlet mostly quotes its own side on its own side's gains) flagged by low confidence.
    """
    if actor is None or actor.code is not None or actor.start is None or not _FIRST_PLURAL.match(actor.text):
        return actor, None
    if d.in_quote(actor.start):
        for text in _speaker_texts(d, actor.start):
            side = normalize_actor(text)
            if side is not None and side.code:
                return Actor(text=actor.text, code=side.code, sector=actor.sector or side.sector or "government",
                             start=actor.start, end=actor.end), True
        code = iso3_of_iso2(d.ctx.article.source.country) if military else None
        if code:
            return Actor(text=actor.text, code=code, sector=actor.sector or "military", start=actor.start,
                         end=actor.end, basis="inferred:outlet-country"), False
    return (None if actor.sector is None else actor), None


def _speaker_texts(d: _Doc, pos: int) -> list[str]:
    names, mentions, out = [], [], []
    quote = next((q for q in d.ctx.quotes or [] if q.start <= pos < q.end and q.kind in ("direct", "partial")), None)
    if quote is not None:
        out.append(quote.speaker_descriptor)
        names.append(quote.speaker)
        mentions.append(quote.speaker_mention)
    elif not d.ctx.quotes and d.last_speaker is not None:
        names.append(d.last_speaker.name)
        mentions.append(d.last_speaker.mention)
    for name in filter(None, names):
        out.append(name)
        out += [e.descriptor for e in d.ctx.entities or [] if e.descriptor and name in (e.canonical, e.text)]
    doc = d.ctx.doc
    for m in filter(None, mentions):
        span = doc.char_span(m.start, m.end, alignment_mode="expand") if m.start is not None else None
        if span is not None:
            out += [" ".join(t.text for t in c.subtree) for c in span.root.children if c.dep_ == "appos"]
    return [t for t in out if t]


def _clause_place(d: _Doc, t, sent, actor, target) -> Optional[ClaimPlace]:
    """A place record inside the trigger's own clause ("a school in central Kharkiv was hit by ..."),
    never one inside the actor or target phrase or another clause ("the Kharkiv governor said")."""
    taken = [(a.start, a.end) for a in (actor, target) if a is not None and a.start is not None]
    for p in d.places:
        if not (sent.start_char <= p.start < sent.end_char) or any(s <= p.start < e for s, e in taken):
            continue
        tok = next((x for x in sent if x.idx <= p.start < x.idx + len(x)), None)
        if tok is not None and t in tok.ancestors and tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_PREPS:
            return ClaimPlace(text=p.text, name=p.name or p.text, geonames_id=p.geonames_id,
                              country_code=p.country_code, lat=p.lat, lon=p.lon, start=p.start, end=p.end)
    return None


def _skip_embedded(tr: _Trig, by_tok: dict[int, _Trig], demands: list) -> bool:
    """Complements of speech acts and objects of light verbs are part of the outer claim."""
    t = tr.tok
    if not tr.spec.get("demand") and any(t == clause or clause in t.ancestors for clause in demands):
        return True  # the content of a demand
    node, hops = t, 0
    while node.head != node and hops < 4:
        parent = by_tok.get(node.head.i)
        if parent is not None and parent is not tr:
            ptype = parent.spec.get("type")
            if (node.dep_ in ("xcomp", "ccomp") and ptype in SPEECH_TYPES
                    and parent.tok.lemma_.lower() not in DENIAL_VERBS):
                return True
            if node.dep_ == "prep" and ptype in SPEECH_TYPES and t.dep_ == "pcomp":
                return True  # "accused Moscow of attacking ships": the content of the accusation
        if node.dep_ not in ("xcomp", "ccomp", "aux", "prep", "pobj", "pcomp"):
            break
        node, hops = node.head, hops + 1
    return False


def _light_verb_dropped(tr: _Trig, nouns_by_head: dict[int, list[_Trig]]) -> bool:
    return tr.kind == "verb" and tr.tok.lemma_.lower() in LIGHT_VERBS and bool(nouns_by_head.get(tr.tok.i))


# ---------------------------------------------------------------- attribution


_ORG_WORDS = re.compile(r"(?i)\b(?:ministry|office|agency|army|staff|council|government|command|service|committee|"
                        r"department|company|kremlin|pentagon|white house|police|forces|embassy|administration|"
                        r"headquarters|group|party|union|organi[sz]ation|institute|monitor|mission)\b")


def _speaker_kind(d: _Doc, name: str) -> str:
    for s, e, label, text in d.ents:
        if text == name or name in text:
            if label == "PERSON":
                return "person"
            if label in ("ORG", "GPE", "NORP"):
                return "organization"
    act = normalize_actor(name)
    if _ORG_WORDS.search(name) or (act is not None and act.code and " " not in name.strip()):
        return "organization"
    return "person"


def _fallback_speaker(d: _Doc, sent) -> Optional[Attribution]:
    for t in sent:
        if t.lemma_.lower() in REPORTING and t.pos_ == "VERB":
            for s in _children(t, "nsubj"):
                if s.lower_ in ("he", "she"):
                    prev = [x for x in d.ents if x[2] == "PERSON" and x[1] <= s.idx]
                    if prev:
                        name = _full_name(d, prev[-1][3])
                        return Attribution(name=name, kind="person", mention=Mention(s.text, s.idx, s.idx + len(s)))
                    continue
                if s.lower_ in PRONOUNS:
                    continue
                ent = d.ent_at(s.idx, s.idx + len(s), {"PERSON", "ORG"})
                if ent:
                    name = _full_name(d, ent[3])
                    m = Mention(ent[3], ent[0], ent[1])
                else:
                    sp = _span(s, limit=6)
                    name, m = sp.text, Mention(sp.text, sp.start_char, sp.end_char)
                return Attribution(name=name, kind=_speaker_kind(d, name), mention=m)
    low = sent.text.lower()
    i = low.find("according to ")
    if i >= 0:
        rest = sent.text[i + 13:]
        head = re.split(r"[,.;:”\"]", rest, maxsplit=1)[0]
        name = head.strip()
        if name:
            s = sent.start_char + i + 13 + len(head) - len(head.lstrip())
            return Attribution(name=name, kind=_speaker_kind(d, name), mention=Mention(name, s, s + len(name)))
    return None


def _denier_attribution(d: _Doc, tok) -> Optional[Attribution]:
    subj = _denier(tok)
    if subj is None or subj.lower_ in PRONOUNS:
        return None
    ent = d.ent_at(subj.idx, subj.idx + len(subj), {"PERSON", "ORG", "GPE", "NORP"})
    if ent and ent[2] == "PERSON":
        name, m = _full_name(d, ent[3]), Mention(ent[3], ent[0], ent[1])
    else:
        sp = _span(subj, limit=6)
        name, m = sp.text, Mention(sp.text, sp.start_char, sp.end_char)
    return Attribution(name=name, kind=_speaker_kind(d, name), mention=m)


def _full_name(d: _Doc, name: str) -> str:
    """'Korotchenko' -> 'Igor Korotchenko' when the article names him in full (entities give canonical names)."""
    for e in d.ctx.entities or []:
        if e.label == "PERSON" and e.canonical and (e.text == name or e.canonical == name):
            return e.canonical
    best = name
    for s, e, label, text in d.ents:
        if label == "PERSON" and len(text) > len(best) and text.split()[-1] == name.split()[-1]:
            best = text
    return best


def _sentence_speakers(d: _Doc, sent) -> list[Attribution]:
    s, e = sent.start_char, sent.end_char
    out: list[Attribution] = []
    if d.ctx.quotes:
        for q in d.ctx.quotes:
            if q.start < e and s < q.end and q.speaker:
                if not any(a.name == q.speaker for a in out):
                    out.append(Attribution(name=q.speaker, kind=_speaker_kind(d, q.speaker), mention=q.speaker_mention))
        return out
    sp = _fallback_speaker(d, sent)
    if sp is not None:
        d.last_speaker = sp
        return [sp]
    # A quotation that runs on from the previous sentence keeps its speaker.
    if d.last_speaker is not None and any(qs < e and s < qe for qs, qe in d.quoted):
        return [d.last_speaker]
    d.last_speaker = None
    return []


def _outlet(article) -> Optional[Attribution]:
    name = article.source.name or article.source.domain
    return Attribution(name=name, kind="outlet") if name else None


# ---------------------------------------------------------------- implicit actors


def _dominant_military(d: _Doc) -> Optional[Actor]:
    if d._dominant is None:
        counts: dict[str, tuple[int, str]] = {}
        for rx, code, sector in actor_table().actors:
            if sector != "military":
                continue
            for m in rx.finditer(d.text):
                n, first = counts.get(code, (0, m.group(0)))
                counts[code] = (n + 1, first)
        if counts:
            code, (n, text) = max(counts.items(), key=lambda kv: kv[1][0])
            d._dominant = Actor(text=text, code=code, sector="military")
        else:
            d._dominant = False
    return d._dominant or None


def _infer_actor(d: _Doc, claim: Claim) -> Optional[Actor]:
    framed = [f for f in d.ctx.framing if f.category == "capture"
              and claim.trigger and f.start < claim.trigger.end and claim.trigger.start < f.end]
    if framed and claim.type == "TAKE_CONTROL":
        code = iso3_of_iso2(d.ctx.article.source.country)
        if code:
            dem = actor_table().demonym.get(code)
            return Actor(text=f"{dem} forces" if dem else f"{code} forces", code=code, sector="military",
                         basis="inferred:outlet-country")
    if claim.place is not None:
        for *_, other in d.claims:
            if (other.type == claim.type and other.actor and other.actor.code and other.place
                    and other.place.name and other.place.name == claim.place.name):
                return Actor(text=other.actor.text, code=other.actor.code, sector=other.actor.sector,
                             basis="inferred:context")
    if claim.type == "TAKE_CONTROL":
        dom = _dominant_military(d)
        if dom is not None:
            return Actor(text=dom.text, code=dom.code, sector=dom.sector, basis="inferred:context")
    return None


# A definite singular place description that names nothing: "the city", "this strategic town".
_ANAPHOR = re.compile(r"(?i)^(?:the|this|that)\b(?!.*\b(?:\w+s)$)")


def _link_anaphoric_places(d: _Doc, claims: list[Claim]) -> None:
    """'the strategic city' -> the place the headline (or another claim) names."""
    named = [c.place for c in claims if c.place and c.place.name]
    topic = (d.ctx.article.title or "") + " " + (d.ctx.article.description or "")
    topic_places = []
    pool = [(p.text, p) for p in d.places] + [(n.text, n) for n in named]
    pool += [(t, None) for s, e, label, t in d.ents if label in PLACE_LABELS]
    for text, obj in pool:
        if text and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", topic):
            topic_places.append((text, obj))
    for c in claims:
        if c.type not in TERRITORIAL or c.place is None or c.place.name or not _ANAPHOR.match(c.place.text):
            continue
        pick = topic_places[0] if topic_places else ((named[0].text, named[0]) if named else None)
        if pick is None:
            continue
        text, obj = pick
        name = getattr(obj, "name", None) or text
        c.place.name = name
        c.place.basis = "inferred:context"
        for attr in ("geonames_id", "country_code", "lat", "lon"):
            if obj is not None and hasattr(obj, attr):
                setattr(c.place, attr, getattr(obj, attr))
        c.confidence = round(c.confidence - 0.1, 2)


# ---------------------------------------------------------------- component


def _sentence_claims(d: _Doc, sent, trig: Triggers, outlet, order: int) -> None:
    ctx = d.ctx
    found = _find_triggers(sent, trig)
    if not found:
        _sentence_speakers(d, sent)
        return
    by_tok = {tr.tok.i: tr for tr in found}
    nouns_by_head: dict[int, list[_Trig]] = {}
    for tr in found:
        if tr.kind == "noun" and tr.tok.dep_ == "dobj":
            nouns_by_head.setdefault(tr.tok.head.i, []).append(tr)
    # "analysts warned (that) Russia could seize X": a warning about someone else's act reports it
    for tr in list(found):
        if tr.kind == "verb" and tr.spec.get("type") == "THREATEN":
            comp = _children(tr.tok, "ccomp")
            if comp and _children(comp[0], "nsubj", "nsubjpass") and comp[0].i in by_tok:
                found.remove(tr)
                del by_tok[tr.tok.i]
    demands = [tr.tok.head for tr in found if tr.spec.get("demand")]
    speakers = _sentence_speakers(d, sent)
    per_type: dict[str, Claim] = {}
    for tr in found:
        if _skip_embedded(tr, by_tok, demands) or _light_verb_dropped(tr, nouns_by_head):
            continue
        if tr.kind == "noun" and tr.tok.dep_ == "compound" and tr.tok.head.lemma_.lower() in UNIT_NOUNS:
            continue  # "assault groups", "attack helicopters": a kind of unit or weapon, not an event
        if tr.kind == "noun" and tr.tok.dep_ == "dobj" and tr.tok.head.i in by_tok:
            parent = by_tok[tr.tok.head.i]
            if not _light_verb_dropped(parent, nouns_by_head):
                continue  # "condemned the attack": the verb is the event reported
        res = _claim_for(d, tr, sent)
        if res is None:
            continue
        claim, depth = res
        prev = per_type.get(claim.type)
        if prev is not None and _score(prev) >= _score(claim):
            continue
        if prev is not None:
            d.claims = [x for x in d.claims if x[-1] is not prev]
        per_type[claim.type] = claim
        denier = _denier_attribution(d, tr.tok) if claim.modality == "denied" else None
        claim.attributions = _attribution(d, claim, outlet, speakers, denier)
        _set_date(ctx, claim, sent, tr.tok)
        claim.framing = _framing_terms(ctx, claim)
        d.claims.append((sent.start_char, depth, order, claim))


def extract_claims(ctx) -> list[Claim]:
    doc = ctx.doc
    if doc is None or not ctx.article.text:
        return []
    # Claims sit at toponyms: a demonym ("Russian forces") names an actor, an unresolved facility no point.
    located = [p for p in ctx.places or [] if getattr(p, "kind", None) not in ("demonym", "facility")]
    d = _Doc(ctx=ctx, text=ctx.article.text, places=located, ents=_entities(ctx),
             quoted=_quoted_spans(ctx))
    trig = triggers()
    outlet = _outlet(ctx.article)
    for order, sent in enumerate(doc.sents):
        try:
            _sentence_claims(d, sent, trig, outlet, order)
        except Exception:  # an unanticipated parse shape must cost one sentence, not the batch
            log.warning("claims: skipped a sentence of %s", ctx.article.id, exc_info=True)
    claims = [c for *_, c in sorted(d.claims, key=lambda x: x[:3])]
    for c in claims:
        if c.type in ("TAKE_CONTROL", "LOSE_CONTROL") and c.actor is None:
            c.actor = _infer_actor(d, c)
            if c.actor is not None:
                c.confidence = min(c.confidence, 0.5)
    _link_anaphoric_places(d, claims)
    for c in claims:
        if (c.actor is not None and c.actor.code is None and c.actor.sector in ARMED_SECTORS
                and c.place is not None and c.place.country_code):
            # "rebels captured Sittwe": an armed group with no nationality is coded by the country it fights
            # in (ACLED's convention for non-state actors), a guess, hence the lower confidence
            code = iso3_of_iso2(c.place.country_code)
            if code:
                c.actor.code = code
                c.actor.basis = "inferred:place-country"
                c.confidence = round(c.confidence - 0.1, 2)
    for c in claims:
        if not ((c.actor and c.actor.code) or (c.target and c.target.code) or c.place):
            # nothing ties the event to a known actor or place: on PLOVER's gold sentences only a
            # third of these are right (two thirds of grounded ones are), and off-topic news is full of them
            c.confidence = min(c.confidence, UNGROUNDED_CONFIDENCE)
    return claims


def _score(c: Claim) -> int:
    return (c.actor is not None and c.actor.code is not None) * 2 + (c.place is not None) + (c.target is not None)


def _attribution(d: _Doc, claim: Claim, outlet, speakers, denier) -> list[Attribution]:
    """Who stands behind the claim, and how.

    Speakers assert it (deny it when the claim is denied, report it when it is only reported); a
    named denier denies it. The outlet asserts or denies what it says in its own voice (as its
    speakers do); a direct quote it only reports, unless the quote is a denial: publishing its
    source's rebuttal puts the outlet on the denying side of the claim."""
    role = {"denied": "denies", "reported": "reports"}.get(claim.modality, "asserts")
    voices = [replace(a, role=role) for a in speakers]
    if denier is not None and all(a.name != denier.name for a in voices):
        voices.append(replace(denier, role="denies"))
    quoted = claim.trigger is not None and d.in_quote(claim.trigger.start)
    if outlet is None:
        return voices
    if quoted and voices:
        return [replace(outlet, role="denies" if role == "denies" else "reports")] + voices
    return [replace(outlet, role=role)] + voices


def _set_date(ctx, claim: Claim, sent, tok) -> None:
    found = find_date(sent.text, ctx.article.published, future=claim.modality in ("predicted", "conditional"))
    if found:
        claim.date, claim.date_text = found[0], found[1]
        return
    if claim.modality in ("asserted", "denied", "attempted", "reported") and ctx.article.published:
        # a nominal trigger takes the tense of its clause ("the capture of X was ..." but not "... is")
        verb = tok if tok.pos_ in ("VERB", "AUX") else _governing_verb(tok)
        past = verb is not None and (verb.tag_ in ("VBD", "VBN") or any(
            c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBD", "VBZ") and c.lower_ in ("was", "were", "had", "has")
            for c in verb.children))
        if past:
            claim.date = ctx.article.published[:10]
            claim.confidence = round(claim.confidence - 0.1, 2)


def _framing_terms(ctx, claim: Claim) -> list[str]:
    spans = [(claim.trigger.start, claim.trigger.end)] if claim.trigger else []
    for a in (claim.actor, claim.target):
        if a is not None and a.start is not None:
            spans.append((a.start, a.end))
    out = []
    for f in ctx.framing or []:
        if any(f.start < e and s < f.end for s, e in spans) and f.term not in out:
            out.append(f.term)
    return out


def plover_category(claim: Claim) -> str:
    """The claim as PLOVER would code it (for comparison with PLOVER-coded data).

    PLOVER folds modality into the category: a stated intention to cooperate
    is AGREE, an announced future retreat is CONCEDE, a stated future
    coercive act is THREATEN, a failed or refused agreement is REJECT.
    Territorial types map to the act PLOVER records: gaining or fighting for
    ground is ASSAULT, giving it up is RETREAT.
    """
    typ, mod = claim.type, claim.modality
    if typ in ("TAKE_CONTROL", "CONTESTED"):
        typ = "ASSAULT"
    elif typ == "LOSE_CONTROL":
        typ = "RETREAT"
    if mod in ("predicted", "conditional"):
        if typ == "RETREAT":
            return "CONCEDE"
        if typ in ("SUPPORT", "AID", "COOPERATE", "CONSULT"):
            return "AGREE"
        if typ in ("COERCE", "SANCTION") or (typ == "ASSAULT" and mod == "conditional"):
            return "THREATEN"
    if mod == "denied" and typ == "AGREE":
        return "REJECT"
    return typ


def load() -> Callable[[Any], list[Claim]]:
    triggers()
    actor_table()
    return extract_claims
