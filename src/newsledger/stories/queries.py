"""Reading stories and provenance: what the CLI and the API return."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..store import story_reads as sql
from ..store.timestamps import utc_instant
from . import text as tx
from .cluster import CLAIM_DAYS, claim_day, resolve_place, same_place_claims

if TYPE_CHECKING:
    from ..store import Store

QUOTE_MATCH = 0.8  # token-sequence similarity for "the same quote"
QUOTE_CANDIDATES = 500
STORY_ARTICLES = 500  # articles listed in one story's detail
STORY_QUOTES = 200
AFFIRMING = ("asserted", "reported")  # modalities a denial answers


def instant(published: Optional[str]) -> tuple[bool, str]:
    """A sort key putting timestamps in the order they happened: "14:20+02:00" (12:20 UTC) before
    "11:45-05:00" (16:45 UTC), which string order gets wrong; undated last, unparsable as written."""
    if not published:
        return True, ""
    return False, utc_instant(published) or published


def list_stories(store: "Store", *, since: Optional[str] = None, until: Optional[str] = None,
                 min_size: int = 1, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Clusters, most recently active first: id, label, span, size, outlets."""
    return sql.clusters(store._conn(), since=since, until=until, min_size=min_size, limit=limit, offset=offset)


def root_of(db, article_id: str) -> str:
    """The article a copy was taken from (itself when it is no copy)."""
    return sql.copy_root(db, article_id) or article_id


def get_story(store: "Store", story_id: int) -> Optional[dict[str, Any]]:
    """A cluster with its articles (and which copy which), outlets, claim groups (with claim ids),
    direct quotes (with quote ids, for ``quote_provenance``) and contradictions."""
    db = store._conn()
    story = sql.cluster(db, story_id)
    if story is None:
        return None
    articles = sql.cluster_articles(db, story_id, STORY_ARTICLES)
    story["articles"] = articles
    story["outlet_list"] = sorted({a["outlet"] for a in articles if a["outlet"]})
    # A wire story reprinted by many outlets counts once: originals are articles that copy nothing.
    story["independent_articles"] = sum(1 for a in articles if not a["copy_of"])
    ids = [a["id"] for a in articles]
    story["claims"] = _group_claims(db, sql.claims_in(db, ids))
    story["quotes"] = sql.quotes_in(db, ids, STORY_QUOTES)
    story["contradictions"] = _position_pairs(db, sql.contradictions_in(db, ids)) if ids else []
    return story


def outlet_sides(db, domains: Iterable[Optional[str]]) -> dict[str, dict[str, Any]]:
    """Each outlet's side: its registry country and state affiliation (the domain itself when
    the registry does not know it). Two outlets of one side never contradict each other."""
    domains = sorted({d for d in domains if d})
    known = sql.outlet_registry(db, domains)
    out = {}
    for d in domains:
        country, state = known.get(d, (None, None))
        if country:
            label = f"{country.upper()} state-affiliated" if state else country.upper()
            out[d] = {"key": label, "label": label}
        else:
            out[d] = {"key": f"outlet:{d}", "label": d}
    return out


def _position_pairs(db, rows: list[dict]) -> list[dict]:
    """Contradicting claim pairs folded into one card per pair of positions.

    A position is what one side says: (side, type, actor, modality). Five sentences of one
    outlet against three of another are one disagreement, not fifteen; two outlets of the
    same side are no contradiction at all. Each card keeps its first pair's fields (claim_id,
    outlet, other_claim_id, ...) and lists every claim and outlet on either side.
    """
    sides = outlet_sides(db, [r["outlet"] for r in rows] + [r["other_outlet"] for r in rows])
    cards: dict[tuple, dict] = {}
    for r in rows:
        a, b = sides.get(r["outlet"]), sides.get(r["other_outlet"])
        if not a or not b or a["key"] == b["key"]:
            continue
        pos_a = (a["key"], r["type"], r["actor_code"], r["modality"])
        pos_b = (b["key"], r["other_type"], r["other_actor_code"], r["other_modality"])
        key = (r["kind"], (r["place_name"] or "").lower(), frozenset((pos_a, pos_b)))
        card = cards.get(key)
        if card is None:
            card = cards[key] = {**r, "side": a["label"], "other_side": b["label"], "pairs": 0,
                                 "claims": [], "other_claims": [], "outlets": [], "other_outlets": [],
                                 "_a": pos_a}
        card["pairs"] += 1
        mine, theirs = (("", "other_") if card["_a"] == pos_a else ("other_", ""))
        for prefix, side in ((mine, ""), (theirs, "other_")):
            claim = {"claim_id": r[prefix + "claim_id"], "article_id": r[prefix + "article_id"],
                     "outlet": r[prefix + "outlet"]}
            if claim not in card[side + "claims"]:
                card[side + "claims"].append(claim)
            if claim["outlet"] not in card[side + "outlets"]:
                card[side + "outlets"].append(claim["outlet"])
    out = []
    for card in cards.values():
        card.pop("_a")
        out.append(card)
    return out


def _group_claims(db, claims: list[dict]) -> list[dict]:
    """Equivalent claims (type, actor, place, dates within CLAIM_DAYS) with first seen and repeats."""
    groups: list[dict] = []
    for c in claims:
        gid = resolve_place(db, c["article_id"], c["place_geonames_id"], c["place_name"])
        day = claim_day(c["date"], c["published"])
        # A denial is its own group (rebutting the assertion), never one more repeat of it.
        key = (c["type"], c["actor_code"], gid or (c["place_name"] or "").lower() or None, c["modality"])
        for g in groups:
            if g["_key"] == key and day is not None and g["_day"] is not None and abs(g["_day"] - day) <= CLAIM_DAYS:
                break
        else:
            g = {"_key": key, "_day": day, "type": c["type"], "actor_code": c["actor_code"],
                 "actor": c["actor_text"], "actor_basis": c["actor_basis"], "place": c["place_name"],
                 "place_basis": c["place_basis"], "geonames_id": gid, "modality": c["modality"], "claims": []}
            groups.append(g)
        g["claims"].append(c)
    out = []
    for g in groups:
        members = g.pop("claims")
        g.pop("_key"), g.pop("_day")
        out.append({**g, **_provenance_summary(db, members)})
    return out


def _provenance_summary(db, members: list[dict]) -> dict[str, Any]:
    members = sorted(members, key=lambda c: (*instant(c["published"]), c["id"]))
    first = members[0]
    origins = {root_of(db, c["article_id"]) for c in members}
    return {
        "first_seen": {"outlet": first["outlet"], "published": first["published"], "article_id": first["article_id"],
                       "claim_id": first["id"]},
        "repeats": [{"outlet": c["outlet"], "published": c["published"], "article_id": c["article_id"],
                     "claim_id": c["id"], "modality": c["modality"], **_by_role(c)}
                    for c in members[1:]],
        "articles": len({c["article_id"] for c in members}),
        "outlets": sorted({c["outlet"] for c in members if c["outlet"]}),
        "independent_origins": len(origins),
        "attributions": [{"outlet": c["outlet"], "article_id": c["article_id"], **_by_role(c)} for c in members],
    }


def _by_role(c: dict) -> dict[str, Optional[str]]:
    """Who asserts, denies and reports a claim row (names joined by "; ")."""
    return {"asserted_by": c["asserted_by_names"], "denied_by": c["denied_by_names"],
            "reported_by": c["reported_by_names"]}


def claim_provenance(store: "Store", claim_id: int) -> Optional[dict[str, Any]]:
    """Where a claim was first seen, who repeated it (copies counted once) and who contradicts it."""
    db = store._conn()
    c = sql.claim(db, claim_id)
    if c is None:
        return None
    day = claim_day(c["date"], c["published"])
    gid = resolve_place(db, c["article_id"], c["place_geonames_id"], c["place_name"])
    # The same event in any modality: equal ones repeat the claim, a denial rebuts it.
    if day is not None and (gid or c["place_name"]):
        kin = [o for o in same_place_claims(db, gid, c["place_name"], (c["type"],), day)
               if o["actor_code"] == c["actor_code"]]
        for o in kin:
            o["outlet"] = o["source_domain"]
        # Same type, actor and place within days can still be two events (a city struck on two days):
        # once the story clusters tell them apart, equivalents come from the claim's own story.
        story = _story_of(db, [c["article_id"]]).get(c["article_id"])
        if story is not None:
            stories_of = _story_of(db, [o["article_id"] for o in kin])
            kin = [o for o in kin if stories_of.get(o["article_id"], story) == story]
        if not any(o["id"] == c["id"] for o in kin):
            kin.append(c)
    else:
        kin = [c]
    # Within the claim's story, the same type and actor count too where either side names no place.
    have = {o["id"] for o in kin}
    for o in sql.story_claims_like(db, c["article_id"], c["type"], c["actor_code"]):
        if o["id"] not in have and (o["place_name"] is None or not (gid or c["place_name"])):
            have.add(o["id"])
            kin.append(o)
    # an outlet relaying the claim as reported ("Russian claims that the town was captured") repeats it
    same = [o for o in kin if o["modality"] == c["modality"]
            or (o["modality"] in AFFIRMING and c["modality"] in AFFIRMING)]
    rebuttals = _rebuttals(c, kin)
    ids = [o["id"] for o in same]
    contradicted = sql.contradicting(db, ids)
    seen, contradictions = set(), []
    sides = outlet_sides(db, [c["outlet"]] + [r["outlet"] for r in contradicted])
    mine = (sides.get(c["outlet"]) or {}).get("key")
    for r in contradicted:
        if (sides.get(r["outlet"]) or {}).get("key") == mine:
            continue  # the same side restating itself differently is no contradiction
        if r["claim_id"] not in seen and r["claim_id"] not in ids:
            seen.add(r["claim_id"])
            contradictions.append(r)
    contradictions.sort(key=lambda r: (*instant(r["published"]), r["claim_id"]))
    return {"claim": {k: c[k] for k in ("id", "article_id", "type", "actor_code", "actor_text", "actor_basis",
                                         "place_name", "place_basis", "date", "modality", "asserted_by_names", "denied_by_names",
                                         "reported_by_names", "sentence", "outlet", "published")},
            "geonames_id": gid, **_provenance_summary(db, same), "rebuttals": rebuttals,
            "contradictions": contradictions}


def _rebuttals(c: dict, kin: list[dict]) -> list[dict]:
    """The claims on the other side of a denial: for an assertion (or report) the denials
    of the same event (edge ``rebuts``: that claim rebuts this one); for a denial the
    assertions it answers (edge ``rebutted``). Hedged claims (conditional, predicted ...)
    neither rebut nor are rebutted."""
    if c["modality"] == "denied":
        other, edge = AFFIRMING, "rebutted"
    elif c["modality"] in AFFIRMING:
        other, edge = ("denied",), "rebuts"
    else:
        return []
    out = [{"edge": edge, "claim_id": o["id"], "article_id": o["article_id"], "outlet": o["outlet"],
            "published": o["published"], "type": o["type"], "actor_code": o["actor_code"],
            "modality": o["modality"], **_by_role(o), "sentence": o.get("sentence")}
           for o in kin if o["modality"] in other and o["id"] != c["id"]]
    return sorted(out, key=lambda o: (*instant(o["published"]), o["claim_id"]))


def _story_of(db, article_ids: list[str]) -> dict[str, int]:
    ids = list(set(article_ids))
    return sql.clusters_of(db, article_ids)


def _quote_tokens(text: str) -> list[str]:
    return tx.words(text)


def quote_diff(base: list[str], other: list[str]) -> list[dict[str, str]]:
    """Word-level changes turning ``base`` into ``other``."""
    ops = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, other, autojunk=False).get_opcodes():
        if op != "equal":
            ops.append({"op": op, "from": " ".join(base[i1:i2]), "to": " ".join(other[j1:j2])})
    return ops


def quote_similarity(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def quote_provenance(store: "Store", quote_id: int) -> Optional[dict[str, Any]]:
    """The same quote across outlets: first publisher, later uses and how their wording differs."""
    db = store._conn()
    q = sql.quote(db, quote_id)
    if q is None:
        return None
    # Candidates: quotes by the same speaker, and quotes in articles of the same story.
    cands = sql.quotes_by_speaker(db, q["speaker"], q["id"], QUOTE_CANDIDATES) if q["speaker"] else []
    cands += sql.quotes_in_story_of(db, q["article_id"], q["id"], QUOTE_CANDIDATES)
    mine = _quote_tokens(q["text"])
    uses, seen = [q], {q["id"]}
    for c in cands:
        if c["id"] in seen:
            continue
        seen.add(c["id"])
        if quote_similarity(mine, _quote_tokens(c["text"])) >= QUOTE_MATCH:
            uses.append(c)
    uses.sort(key=lambda u: (*instant(u["published"]), u["id"]))
    first = uses[0]
    base = _quote_tokens(first["text"])
    later = []
    for u in uses[1:]:
        toks = _quote_tokens(u["text"])
        changes = quote_diff(base, toks)
        later.append({"quote_id": u["id"], "article_id": u["article_id"], "outlet": u["outlet"],
                      "published": u["published"], "text": u["text"], "speaker": u["speaker"],
                      "similarity": round(quote_similarity(base, toks), 3), "altered": bool(changes),
                      "changes": changes})
    return {"quote": {k: q[k] for k in ("id", "article_id", "text", "kind", "speaker", "outlet", "published")},
            "first": {"quote_id": first["id"], "article_id": first["article_id"], "outlet": first["outlet"],
                      "published": first["published"], "text": first["text"], "speaker": first["speaker"]},
            "uses": later, "outlets": sorted({u["outlet"] for u in uses if u["outlet"]}),
            "altered": [u for u in later if u["altered"]]}
