"""Incremental story clustering, reprint detection and claim contradictions.

``update`` is called with the ids of articles just stored (new or changed).
Each article is indexed under candidate keys (places by GeoNames id, people and
organisations, claim type + place, distinctive title words) with its
publication day; candidates are the articles sharing a key within
``WINDOW_DAYS``, read with indexed, size-capped lookups, so the cost per
article does not grow with the database. The article joins the cluster of its
best-scoring candidate (TF-IDF cosine of title + lead blended with weighted key
overlap, or any article it copies) or opens a new cluster. Nothing already
clustered is revisited.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Optional

from ..analyze.lang.common import translit_key
from ..store import clusters as sql
from ..store.story_reads import copy_root
from . import text as tx

if TYPE_CHECKING:
    from ..store import Store

WINDOW_DAYS = 3
DAY_DECAY = 0.15  # score divided by 1 + DAY_DECAY x days apart
POSTINGS_PER_KEY = 200  # most recent articles read per key: bounds the work for very common keys
MAX_CANDIDATES = 40  # candidates scored per article, best key overlap first
JOIN_SCORE = 0.3
TEXT_WEIGHT = 0.6  # share of the TF-IDF cosine in the score (the rest: key overlap)
LABEL_EXACT_UP_TO = 64  # clusters up to this size are recounted (and relabelled) on every join

# Key weights: a claim at a place is the strongest sign of the same event, a title word the weakest.
# Other event types at a place (strikes, protests) recur there, so they weigh less than a change of control.
W_CLAIM, W_EVENT, W_CITY, W_REGION, W_PERSON, W_ORG, W_TITLE = 2.0, 1.0, 1.5, 0.5, 1.0, 0.5, 0.3
CONTROL_TYPES = ("TAKE_CONTROL", "LOSE_CONTROL", "CONTESTED")

# Copies: a shared passage needs this many sentences and characters and a fair part of the text
# (or must be long), or must cover most of the shorter text.
COPY_MIN_SENTENCES = 2
COPY_MIN_CHARS = 120
COPY_MIN_CONTAINMENT = 0.8
COPY_MIN_PART = 0.3
COPY_LONG_CHARS = 600
POSTINGS_PER_HASH = 64  # articles read per shared sentence: bounds the work for boilerplate lines
CLAIM_DAYS = 2
PUBLISH_LAG_DAYS = 3  # a claim is looked for in articles published up to this long after its date


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def update(store: "Store", article_ids: Iterable[str]) -> dict[str, int]:
    """Index, copy-check and cluster ``article_ids`` (already stored); returns counts.

    Safe to call again for the same ids (an article is re-placed from scratch).
    Unknown ids are ignored. One transaction per call.
    """
    ids = list(dict.fromkeys(a for a in article_ids if a))
    counts = Counter()
    if not ids:
        return dict(counts)
    with store._write() as db:
        rows = sql.articles(db, ids)
        # Oldest first, so a batch holding an original and its copies links copies to the original.
        rows.sort(key=_order)
        for row in rows:
            _forget(db, row["id"])
        for row in rows:
            # One article that breaks (a bug met on hostile input) is left unclustered; the batch goes on.
            try:
                with sql.savepoint(db):
                    counts["copies"] += _copies(db, row)
                    joined = _cluster(db, row)
                    counts["contradictions"] += _contradictions(db, row["id"])
            except Exception:
                counts["failed"] += 1
                continue
            counts["joined" if joined else "opened"] += 1
        counts["articles"] = len(rows)
    return dict(counts)


def _forget(db, article_id: str) -> None:
    """Undo an earlier placement of the article (it changed, or update runs again)."""
    cluster = sql.drop_article(db, article_id)
    if cluster is not None:
        _refresh(db, cluster)


# ---------------------------------------------------------------- copies


def _order(row: dict) -> tuple:
    return (row["published_utc"] is None, row["published_utc"] or "", row["first_seen"] or "", row["id"])


def _copies(db, art: dict) -> int:
    """Record which earlier article ``art`` copies (shared sentences), or which it is the source of."""
    text = art["text"] or ""
    sents = tx.sentences(text)
    sql.add_passages(db, art["id"], sents)
    mine = {h: (s, e) for h, s, e in sents}
    shared: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for h in mine:
        for other, s, e in sql.passage_postings(db, h, art["id"], POSTINGS_PER_HASH):
            shared[other].append((mine[h][0], mine[h][1], s, e))
    my_chars = sum(e - s for s, e in mine.values()) or 1
    found: dict[str, tuple] = {}
    for other, spans in shared.items():
        chars = sum(e - s for s, e, _, _ in spans)
        other_chars = sql.passage_chars(db, other) or 1
        containment = chars / min(my_chars, other_chars)
        # Two shared sentences are a copy only when they are a fair part of the text (or long):
        # an outlet's standard closing lines appear under all its articles.
        passage = len(spans) >= COPY_MIN_SENTENCES and chars >= COPY_MIN_CHARS and (
            containment >= COPY_MIN_PART or chars >= COPY_LONG_CHARS)
        if passage or containment >= COPY_MIN_CONTAINMENT:
            found[other] = (min(s[0] for s in spans), max(s[1] for s in spans),
                            min(s[2] for s in spans), max(s[3] for s in spans), chars, round(min(containment, 1.0), 3))
    dup = art["duplicate_of"]
    if dup and dup not in found:
        # The store's MinHash saw a near-copy whose sentences were all retouched.
        found[dup] = (0, len(text), None, None, len(text), art["similarity"] or 0.0)
    if not found:
        return 0
    others = {r["id"]: r for r in sql.articles(db, list(found))}
    earliest = min([art] + list(others.values()), key=_order)
    if earliest["id"] == art["id"]:
        # Stored after its copies (out of order): they now point at this original instead.
        for oid in others:
            s, e, os_, oe, chars, sim = found[oid]
            sql.replace_copy(db, oid, art["id"], (os_, oe, s, e, chars, sim, "minhash" if os_ is None else "sentences"))
        return len(others)
    s, e, os_, oe, chars, sim = found[earliest["id"]]
    source, method = earliest["id"], "minhash" if os_ is None else "sentences"
    # Past POSTINGS_PER_HASH copies the original may be out of sight: a copy leads to its source
    # (where the shared span is then not known).
    hop = copy_root(db, source)
    if hop:
        source, os_, oe = hop, None, None
    sql.record_copy(db, art["id"], source, (s, e, os_, oe, chars, sim, method))
    return 1


# ---------------------------------------------------------------- clustering


def _keys(db, art: dict) -> dict[str, float]:
    aid = art["id"]
    keys: dict[str, float] = {}
    for gid, feature in sql.article_places(db, aid):
        if feature != "country":
            keys[f"p:{gid}"] = W_CITY if feature == "city" else W_REGION
    for label, name, key in sql.article_people_orgs(db, aid):
        # A person by transliteration key: Игорь Коротченко and Igor Korotchenko are one name.
        name = key if label == "PERSON" and key else name
        keys[f"e:{name}"] = W_PERSON if label == "PERSON" else W_ORG
    for ctype, gid, name in sql.article_claim_places(db, aid):
        # Capture, loss and "still holding" reports about one place are the same (disputed) event.
        kind = "CONTROL" if ctype in CONTROL_TYPES else ctype
        gid = resolve_place(db, aid, gid, name)
        # Keyed by id and by name: a report whose tagger could not resolve the name still meets the others.
        weight = (W_CLAIM if kind == "CONTROL" else W_EVENT) / 2
        if gid:
            keys[f"c:{kind}:{gid}"] = weight
        if name:
            # By transliteration key: Seversk (unresolved) meets Siversk and Северск.
            keys[f"c:{kind}:{translit_key(name) or name.lower()}"] = weight
    for t in tx.title_terms(art["title"]):
        keys.setdefault(f"t:{t}", W_TITLE)
    return keys


def _cluster(db, art: dict) -> bool:
    """Place ``art`` in a cluster; True when it joined an existing one."""
    aid = art["id"]
    day = tx.day_number(art["published"]) or tx.day_number(art["first_seen"]) or 0
    keys = _keys(db, art)
    terms = tx.lead_terms(art["title"], art["text"] or "")
    # Places count as terms by GeoNames id, so Seversk / Siversk / Сіверськ are one word.
    for key, w in keys.items():
        if key.startswith("p:") and w == W_CITY:
            terms[key] = 2
    key_weight = sum(keys.values())

    # Candidates: articles sharing a key within the window, best summed key weight first.
    overlap: Counter = Counter()
    same_event: set[str] = set()  # candidates reporting a change of control at the same place
    for key, w in keys.items():
        for other in sql.key_postings(db, key, day - WINDOW_DAYS, day + WINDOW_DAYS, POSTINGS_PER_KEY):
            overlap[other] += w
            if key.startswith("c:CONTROL:"):
                # Control of a place changes rarely, unlike strikes (a city can be hit daily): only these
                # claims alone make two reports one story.
                same_event.add(other)
    overlap.pop(aid, None)
    candidates = [c for c, _ in overlap.most_common(MAX_CANDIDATES)]
    copied = sql.copy_links(db, aid)
    candidates += [c for c in copied if c not in overlap]

    sql.index_article(db, aid, day, keys, terms, key_weight)

    best: dict[int, float] = {}
    if candidates:
        vectors = sql.member_vectors(db, candidates)
        dfs, n = sql.document_frequencies(db, [t for v in vectors for t in v[1]] + list(terms))
        idfs: dict[str, float] = {}
        mine = tx.weigh(terms, dfs, n, idfs)
        for cid, vec, kw, cluster, cday in vectors:
            if cid in copied:
                score = 1.0
            else:
                key_sim = overlap[cid] / ((key_weight * kw) ** 0.5) if key_weight and kw else 0.0
                cos = tx.cosine(mine, tx.weigh(vec, dfs, n, idfs))
                score = TEXT_WEIGHT * cos + (1 - TEXT_WEIGHT) * min(key_sim, 1.0)
                # Reports of one event cluster in time; a developing story still chains day by day.
                score /= 1.0 + DAY_DECAY * abs(day - cday)
                if cid in same_event:
                    # Reports of one event by opposing sides share little wording but the claim and place.
                    score = max(score, JOIN_SCORE)
            if score > best.get(cluster, 0.0):
                best[cluster] = score
    cluster, score = max(best.items(), key=lambda kv: kv[1], default=(None, 0.0))
    joined = cluster is not None and score >= JOIN_SCORE
    if not joined:
        cluster = sql.open_cluster(db)
        score = 1.0
    sql.add_member(db, aid, cluster, round(score, 4), day)
    _refresh(db, cluster, art)
    return joined


def _refresh(db, cluster: int, joined: Optional[dict] = None) -> None:
    """Size, time span, outlets and label of a cluster after a member came (``joined``) or went.

    Clusters up to LABEL_EXACT_UP_TO members are recounted every time; bigger ones (a wire story
    reprinted everywhere) add the newcomer and recount only when their size doubles, so a join
    costs the same however big the story grows.
    """
    head = sql.cluster_head(db, cluster)
    size = (head[0] + 1) if head and joined is not None else None
    if size is None or size <= LABEL_EXACT_UP_TO or size & (size - 1) == 0:
        size, first, last, outlets = sql.cluster_counts(db, cluster)
        if not size:
            sql.delete_cluster(db, cluster)
            return
        label_id, label = _central_title(db, cluster)
        sql.relabel_cluster(db, cluster, size=size, first=first, last=last, outlets=outlets, label=label,
                            label_article=label_id, updated=_now())
        return
    published = joined["published_utc"]  # a cluster's span is in UTC instants (store.timestamps)
    first = min(x for x in (head[1], published) if x) if (head[1] or published) else None
    last = max(x for x in (head[2], published) if x) if (head[2] or published) else None
    sql.grow_cluster(db, cluster, size=size, first=first, last=last, updated=_now())


def _central_title(db, cluster: int) -> tuple[Optional[str], Optional[str]]:
    rows = sql.cluster_titles(db, cluster, 256)
    titled = [(aid, title, tx.title_terms(title)) for aid, title, _ in rows if title]
    if not titled:
        return (rows[0][0], None) if rows else (None, None)
    freq = Counter(t for _, _, ts in titled for t in ts)

    def centrality(item) -> float:
        _, _, ts = item
        # Words other headlines share, per word: favours the headline that says what all of them say.
        return sum(freq[t] - 1 for t in ts) / (len(ts) or 1) if ts else 0.0

    aid, title, _ = max(titled, key=centrality)
    return aid, title


# ---------------------------------------------------------------- contradictions


def claim_day(date_value: Optional[str], published: Optional[str], first_seen: Optional[str] = None) -> Optional[int]:
    """Day of the claimed event: its own date, else the article's publication, else when it was stored."""
    return tx.day_number(date_value) or tx.day_number(published) or tx.day_number(first_seen)


def resolve_place(db, article_id: str, gid: Optional[int], name: Optional[str]) -> Optional[int]:
    """A claim's GeoNames id, or the id its article's place tagger gave the same name."""
    if gid or not name:
        return gid
    # Case folded here, not in SQL: SQLite's lower() folds ASCII only, PostgreSQL's every script,
    # and СІВЕРСЬК must meet Сіверськ on both.
    folded = name.casefold()
    for place_name, text, place_gid in sql.article_place_names(db, article_id):
        if folded in ((place_name or "").casefold(), (text or "").casefold()):
            return place_gid
    # Else the id other claims already got for the same name (the first of a bounded few wins).
    return sql.claimed_place_id(db, name)


def same_place_claims(db, gid: Optional[int], name: Optional[str], types: Iterable[str],
                      day: int, days: int = CLAIM_DAYS, limit: int = 500) -> list[dict]:
    """Claims of ``types`` at the place within ``days`` of ``day``, with their article's outlet and date.

    Articles are found through the story key index (claim kind + place, publication day), so the
    lookup reads only the days around ``day`` however many claims the place has collected.
    """
    types = list(types)
    places = [p for p in (gid, name.lower() if name else None) if p]
    keys = [f"c:{'CONTROL' if t in CONTROL_TYPES else t}:{p}" for t in set(types) for p in places]
    if not keys:
        return []
    lag = days + PUBLISH_LAG_DAYS
    articles = sql.keyed_articles(db, keys, day - lag, day + lag, limit)
    out = []
    for d in sql.claims_of_types(db, articles, types) if articles else []:
        other_gid = resolve_place(db, d["article_id"], d["place_geonames_id"], d["place_name"])
        same = (gid and other_gid == gid) or (name and (d["place_name"] or "").lower() == name.lower())
        d["day"] = claim_day(d["date"], d["published"], d["first_seen"])
        if same and d["day"] is not None and abs(d["day"] - day) <= days:
            out.append(d)
    return out


def contradiction(a: dict, b: dict) -> Optional[str]:
    """Why two claims about the same place and days cannot both hold, or None.

    ``denial``: the same event asserted by one and denied by the other.
    ``control``: a capture against a report that the place is still contested
    (held by another side), that the captor lost it, or that another side took it.
    """
    if a["type"] == b["type"] and (a["actor_code"] or None) == (b["actor_code"] or None):
        if {a["modality"], b["modality"]} == {"asserted", "denied"}:
            return "denial"
        return None
    if a["modality"] != "asserted" or b["modality"] != "asserted":
        return None
    take, other = (a, b) if a["type"] == "TAKE_CONTROL" else (b, a)
    if take["type"] != "TAKE_CONTROL" or not take["actor_code"]:
        return None
    if other["type"] == "CONTESTED" and other["actor_code"] != take["actor_code"]:
        return "control"
    if other["type"] == "LOSE_CONTROL" and other["actor_code"] == take["actor_code"]:
        return "control"
    return None


def _contradictions(db, article_id: str) -> int:
    """Record contradictions between the article's claims and other outlets' claims."""
    found = 0
    art = sql.article_dates(db, article_id)
    for cid, ctype, actor, modality, date_value, gid, name in sql.placed_claims(db, article_id):
        day = claim_day(date_value, art[0], art[2])
        if day is None:
            continue
        gid = resolve_place(db, article_id, gid, name)
        types = CONTROL_TYPES if ctype in CONTROL_TYPES else (ctype,)
        mine = {"type": ctype, "actor_code": actor, "modality": modality}
        for other in same_place_claims(db, gid, name, types, day):
            if other["article_id"] == article_id or (art[1] and other["source_domain"] == art[1]):
                continue
            kind = contradiction(mine, other)
            if kind:
                # One row per pair, lower claim id first, whichever article came second.
                found += sql.add_contradiction(db, min(cid, other["id"]), max(cid, other["id"]), kind)
    return found
