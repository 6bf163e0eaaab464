"""Analyst reviews of claims, quotes and places: confirm, reject or correct.

A review is keyed by the article and the annotation's span (plus, for claims,
the trigger's offset, since one sentence can hold several claims), never by the
annotation row's id: re-analysis replaces the rows, and ``reapply`` lays every
review over the new rows in the same transaction. The corrected values are
written into the annotation row itself (nested fields and their flattened
copies) and the row's ``review`` column says so, so every listing, facet,
comparison, story and export reads the reviewed value with no extra join.

Every function takes a store (SQLite or PostgreSQL: the SQL is written once, in
forms both read alike, see ``store.dialect``) or, for ``reapply``, the connection
of the write transaction in progress.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional

from .errors import QueryError
from .migrations import CLAIM_FLAT, REVIEW_KINDS as KINDS, q

VERDICTS = ("confirmed", "rejected", "corrected")
# Fields an analyst may set, per kind. Claims' actor and place are nested records:
# ``actor`` sets its text, ``actor_code`` its country code, ``place`` a GeoNames id or name.
FIELDS = {
    "claim": ("type", "modality", "actor", "actor_code", "place"),
    "quote": ("speaker", "kind"),
    "place": ("geonames_id", "name"),
}
MODALITIES = ("asserted", "denied", "conditional", "attempted", "predicted", "reported", "questioned")
QUOTE_KINDS = ("direct", "partial", "indirect", "title", "term", "scare")
# The nested values a correction may replace, per kind: what ``before``/``after`` record.
_SNAPSHOT = {
    "claim": ("type", "modality", "actor", "place"),
    "quote": ("speaker", "kind"),
    "place": ("name", "geonames_id", "feature", "country_code", "admin1", "lat", "lon"),
}

# A resolver turns a GeoNames id or a place name into a gazetteer record (dict with
# geonames_id, name, feature, country_code, admin1, lat, lon) or None.
Resolver = Callable[[str], Optional[dict[str, Any]]]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json(value: Any) -> Any:
    """JSON columns come back as text from SQLite and decoded from PostgreSQL."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def _table(kind: str) -> str:
    if kind not in KINDS:
        raise QueryError(f"cannot review {kind!r}: choose claim, quote or place")
    return KINDS[kind]


def anchor(kind: str, row: dict[str, Any]) -> str:
    """What tells apart two items on the same span: a claim's trigger offset."""
    if kind != "claim":
        return ""
    trig = _json(row.get("trigger"))
    return str(trig.get("start")) if isinstance(trig, dict) and trig.get("start") is not None else ""


# ---------------------------------------------------------------- reads


def conditions(alias: str, reviewed: Optional[bool] = None, hide_rejected: bool = False) -> list[str]:
    """SQL conditions on an annotation row's review mark: reviewed (True) or unreviewed
    (False) only, and leaving out what an analyst rejected."""
    conds = []
    if reviewed is not None:
        conds.append(f"{alias}.review IS NOT NULL" if reviewed else f"{alias}.review IS NULL")
    if hide_rejected:
        conds.append(f"({alias}.review IS NULL OR {alias}.review ->> 'verdict' != 'rejected')")
    return conds


def claim_types(store) -> list[str]:
    """Every claim type stored in the database."""
    return [r["type"] for r in store._read("SELECT DISTINCT type FROM claims WHERE type IS NOT NULL ORDER BY type")]


def item(store, kind: str, item_id: int) -> Optional[dict[str, Any]]:
    """One annotation row (JSON decoded) with its article id, or None."""
    table = _table(kind)
    rows = store._read(f"SELECT * FROM {q(table)} WHERE id = ?", (int(item_id),))
    if not rows:
        return None
    row = rows[0]
    for k in ("actor", "target", "place", "trigger", "speaker_mention", "review", "attributions"):
        if row.get(k) is not None:
            row[k] = _json(row[k])
    return row


def place_mentions(store, article_id: str) -> list[dict[str, Any]]:
    """An article's place mentions in text order, with their ids (for ``review place ID``)."""
    rows = store._read(
        "SELECT id, article_id, text, start, \"end\", name, geonames_id, feature, country_code, lat, lon, "
        "confidence, review FROM places WHERE article_id = ? ORDER BY start, id", (article_id,))
    for r in rows:
        r["review"] = _json(r["review"]) if r.get("review") is not None else None
    return rows


def _where(kind: Optional[str], article_id: Optional[str], alias: str = "") -> tuple[str, list[Any]]:
    conds, params = [], []
    for column, value in (("kind", kind), ("article_id", article_id)):
        if value:
            conds.append(f"{alias}{column} = ?")
            params.append(value)
    return (f"WHERE {' AND '.join(conds)}" if conds else ""), params


# A review as exported, the same columns from ``newsledger export --kind reviews`` and from
# ``/api/reviews?format=csv|jsonl|parquet``: (name, type, SQL over ``reviews r`` and ``articles a``).
EXPORT_COLUMNS = (
    ("id", "INTEGER", "r.id"), ("kind", "TEXT", "r.kind"), ("article_id", "TEXT", "r.article_id"),
    ("source", "TEXT", "a.source_domain"), ("start", "INTEGER", "r.start"), ("end", "INTEGER", 'r."end"'),
    ("anchor", "TEXT", "r.anchor"), ("verdict", "TEXT", "r.verdict"), ("before", "JSON", "r.before_value"),
    ("after", "JSON", "r.after_value"), ("by", "TEXT", "r.reviewer"), ("at", "TEXT", "r.reviewed_at"),
    ("note", "TEXT", "r.note"),
)
REVIEW_EXPORT = tuple(name for name, _, _ in EXPORT_COLUMNS)
_EXPORT_SQL = ", ".join(f"{sql} AS {q(name)}" for name, _, sql in EXPORT_COLUMNS)
_FROM = "FROM reviews r LEFT JOIN articles a ON a.id = r.article_id"


def export_query() -> tuple[str, list[tuple[str, str]]]:
    """The store's export of every review: SQL and (column, type) pairs."""
    return f"SELECT {_EXPORT_SQL} {_FROM} ORDER BY r.id", [(name, typ) for name, typ, _ in EXPORT_COLUMNS]


def reviews(store, *, kind: Optional[str] = None, article_id: Optional[str] = None, limit: int = 100_000,
            offset: int = 0) -> list[dict[str, Any]]:
    """Stored reviews, newest first, with the article's outlet and title."""
    where, params = _where(kind, article_id, "r.")
    rows = store._read(
        f"SELECT {_EXPORT_SQL}, a.title AS article_title {_FROM} {where} ORDER BY r.reviewed_at DESC, r.id DESC "
        "LIMIT ? OFFSET ?", (*params, int(limit), int(offset)))
    for r in rows:
        r["before"] = _json(r["before"]) if r["before"] is not None else {}
        r["after"] = _json(r["after"]) if r["after"] is not None else {}
    return rows


def count(store, *, kind: Optional[str] = None, article_id: Optional[str] = None) -> int:
    where, params = _where(kind, article_id)
    return int(store._read(f"SELECT count(*) AS n FROM reviews {where}", params)[0]["n"])


def mark_analysis(store, article_id: str, body: dict[str, Any]) -> None:
    """Give an article's claims, quotes and places (as ``Analysis.to_dict`` lists them, in
    row order) their row ``id`` and ``review`` mark."""
    for kind, table in KINDS.items():
        rows = store._read(f"SELECT id, review FROM {q(table)} WHERE article_id = ? ORDER BY id", (article_id,))
        for rec, row in zip(body.get(table) or [], rows):
            rec["id"] = row["id"]
            rec["review"] = _json(row["review"]) if row["review"] is not None else None


def quality(store, *, queue: int = 50) -> dict[str, Any]:
    """Observed precision per component and outlet, and the unreviewed items with the
    lowest confidence first (the review queue)."""
    by: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[str, dict[str, Any]] = {}
    for kind, table in KINDS.items():
        for r in store._read(
            "SELECT a.source_domain AS source, count(*) AS items, count(x.review) AS reviewed, "
            "sum(CASE WHEN x.review ->> 'verdict' = 'confirmed' THEN 1 ELSE 0 END) AS confirmed, "
            "sum(CASE WHEN x.review ->> 'verdict' = 'rejected' THEN 1 ELSE 0 END) AS rejected, "
            "sum(CASE WHEN x.review ->> 'verdict' = 'corrected' THEN 1 ELSE 0 END) AS corrected "
            f"FROM {q(table)} x JOIN articles a ON a.id = x.article_id GROUP BY a.source_domain"
        ):
            row = {k: int(r[k] or 0) for k in ("items", "reviewed", "confirmed", "rejected", "corrected")}
            by[(kind, r["source"] or "")] = {"component": table, "source": r["source"], **row}
            t = totals.setdefault(kind, {"component": table, "items": 0, "reviewed": 0, "confirmed": 0,
                                         "rejected": 0, "corrected": 0})
            for k, v in row.items():
                t[k] += v
    for row in [*by.values(), *totals.values()]:
        row["precision"] = round(row["confirmed"] / row["reviewed"], 3) if row["reviewed"] else None
    items = []
    for kind, table in KINDS.items():
        label = {"claim": "x.sentence", "quote": "x.text", "place": "x.text"}[kind]
        value = {"claim": "x.type", "quote": "x.speaker", "place": "x.name"}[kind]
        for r in store._read(
            f"SELECT x.id, x.article_id, x.confidence, {label} AS text, {value} AS value, a.source_domain AS source, "
            f"a.title AS article_title FROM {q(table)} x JOIN articles a ON a.id = x.article_id "
            "WHERE x.review IS NULL ORDER BY x.confidence, x.id LIMIT ?", (int(queue),)
        ):
            items.append({"kind": kind, **r})
    items.sort(key=lambda r: (r["confidence"] if r["confidence"] is not None else 0.0, r["kind"], r["id"]))
    return {
        "components": sorted(totals.values(), key=lambda r: r["component"]),
        "outlets": sorted(by.values(), key=lambda r: (r["component"], r["source"] or "")),
        "queue": items[:queue],
    }


# ---------------------------------------------------------------- corrections


def _snapshot(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in _SNAPSHOT[kind]}


def parse_sets(kind: str, sets: Iterable[str]) -> dict[str, str]:
    """``FIELD=VALUE`` pairs; QueryError naming the fields a kind accepts."""
    out: dict[str, str] = {}
    for pair in sets:
        name, eq, value = str(pair).partition("=")
        name = name.strip().lower()
        if not eq or name not in FIELDS[kind]:
            raise QueryError(f"cannot set {pair!r} on a {kind}: use FIELD=VALUE with FIELD one of "
                             f"{', '.join(FIELDS[kind])}")
        out[name] = value.strip()
    return out


def _corrected(kind: str, row: dict[str, Any], sets: dict[str, str], resolve: Optional[Resolver]) -> dict[str, Any]:
    """The row's snapshot fields after applying ``sets``."""
    new = json.loads(json.dumps(_snapshot(kind, row)))
    if kind == "claim":
        if "type" in sets:
            if not sets["type"]:
                raise QueryError("a claim's type cannot be empty")
            new["type"] = sets["type"].upper()
        if "modality" in sets:
            if sets["modality"].lower() not in MODALITIES:
                raise QueryError(f"unknown modality {sets['modality']!r}: choose one of {', '.join(MODALITIES)}")
            new["modality"] = sets["modality"].lower()
        if "actor" in sets or "actor_code" in sets:
            actor = dict(new.get("actor") or {"text": ""})
            if "actor" in sets:
                actor["text"] = sets["actor"]
                actor.pop("start", None), actor.pop("end", None)
            if "actor_code" in sets:
                actor["code"] = sets["actor_code"].upper() or None
            new["actor"] = actor if actor.get("text") or actor.get("code") else None
        if "place" in sets:
            value = sets["place"]
            if not value:
                new["place"] = None
            else:
                found = resolve(value) if resolve else None
                if found is None:
                    raise QueryError(f"no gazetteer place {value!r}: give a GeoNames id or a place name")
                place = dict(new.get("place") or {"text": found["name"]})
                place.update({k: found.get(k) for k in ("name", "geonames_id", "country_code", "lat", "lon")})
                new["place"] = place
    elif kind == "quote":
        if "speaker" in sets:
            new["speaker"] = sets["speaker"] or None
        if "kind" in sets:
            if sets["kind"].lower() not in QUOTE_KINDS:
                raise QueryError(f"unknown quote kind {sets['kind']!r}: choose one of {', '.join(QUOTE_KINDS)}")
            new["kind"] = sets["kind"].lower()
    else:
        value = sets.get("geonames_id") or sets.get("name")
        if value:
            found = resolve(value) if resolve else None
            if found is None:
                raise QueryError(f"no gazetteer place {value!r}: give a GeoNames id or a place name")
            new.update({k: found.get(k) for k in _SNAPSHOT["place"]})
    return new


def _write_row(db, kind: str, row_id: int, values: dict[str, Any], review: Optional[dict[str, Any]]) -> None:
    """Write snapshot values (nested records as JSON) and the review mark into one row."""
    table = KINDS[kind]
    cols: dict[str, Any] = {}
    for k, v in values.items():
        cols[k] = json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
    if kind == "claim":
        for name, (_, parent, attr) in CLAIM_FLAT.items():
            if parent in values:
                cols[name] = (values.get(parent) or {}).get(attr)
    cols["review"] = json.dumps(review, ensure_ascii=False) if review is not None else None
    db.execute(f"UPDATE {q(table)} SET {', '.join(q(c) + ' = ?' for c in cols)} WHERE id = ?",
               [*cols.values(), row_id])


def _mark(rec: dict[str, Any]) -> dict[str, Any]:
    return {"verdict": rec["verdict"], "by": rec["by"], "at": rec["at"], "note": rec.get("note"),
            "before": rec["before"], "after": rec["after"]}


def review(store, kind: str, item_id: int, *, verdict: str, sets: Optional[dict[str, str]] = None,
           by: Optional[str] = None, note: Optional[str] = None, resolve: Optional[Resolver] = None) -> dict[str, Any]:
    """Confirm, reject or correct one item (by its row id); returns the stored review.

    ``verdict``: confirmed | rejected | corrected (``sets`` then holds the new values).
    A later review of the same item replaces the earlier one; ``before`` always
    keeps the machine's value.
    """
    table = _table(kind)
    if verdict not in VERDICTS:
        raise QueryError(f"unknown verdict {verdict!r}: choose one of {', '.join(VERDICTS)}")
    sets = sets or {}
    if verdict == "corrected" and not sets:
        raise QueryError(f"a correction needs at least one --set FIELD=VALUE ({', '.join(FIELDS[kind])})")
    if verdict != "corrected" and sets:
        raise QueryError("--set goes with a correction, not with --confirm or --reject")
    row = item(store, kind, item_id)
    if row is None:
        raise QueryError(f"no {kind} with id {item_id}: ids are shown by `newsledger {table} --json`")
    previous = row.get("review") or None
    # The machine's values: the row's own, except what an earlier correction replaced.
    machine = {**_snapshot(kind, row), **((previous or {}).get("before") or {})}
    machine_row = {**row, **machine}
    after = _corrected(kind, machine_row, sets, resolve) if verdict == "corrected" else dict(machine)
    changed = {k for k in after if after[k] != machine.get(k)}
    if verdict == "corrected" and not changed:
        verdict = "confirmed"  # the "correction" repeats the machine's value
    before = {k: machine.get(k) for k in sorted(changed)} if verdict == "corrected" else {}
    after_part = {k: after[k] for k in sorted(changed)} if verdict == "corrected" else {}
    rec = {"kind": kind, "article_id": row["article_id"], "start": row["start"], "end": row["end"],
           "anchor": anchor(kind, row), "verdict": verdict, "before": before, "after": after_part,
           "by": (by or "").strip() or "anonymous", "at": _now(), "note": (note or "").strip() or None}
    with store._write() as db:
        db.execute(
            "DELETE FROM reviews WHERE kind = ? AND article_id = ? AND start = ? AND \"end\" = ? AND anchor = ?",
            (kind, rec["article_id"], rec["start"], rec["end"], rec["anchor"]))
        db.execute(
            "INSERT INTO reviews (kind, article_id, start, \"end\", anchor, verdict, before_value, after_value, "
            "reviewer, reviewed_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, rec["article_id"], rec["start"], rec["end"], rec["anchor"], verdict,
             json.dumps(before, ensure_ascii=False), json.dumps(after_part, ensure_ascii=False),
             rec["by"], rec["at"], rec["note"]))
        _write_row(db, kind, row["id"], after, _mark(rec))
        _refresh_keys(db, rec["article_id"])
    return {**_mark(rec), "kind": kind, "id": int(item_id), "article_id": rec["article_id"]}


def _refresh_keys(db, article_id: str) -> None:
    from .migrations import fill_article_keys

    db.execute("DELETE FROM article_keys WHERE article_id = ?", (article_id,))
    fill_article_keys(db, article_id)


def reapply(db, article_id: str) -> int:
    """Lay the article's reviews over freshly analysed rows (inside the write transaction
    that stored them); returns how many rows were matched."""
    cur = db.execute(
        "SELECT kind, start, \"end\", anchor, verdict, before_value, after_value, reviewer, reviewed_at, note FROM reviews "
        "WHERE article_id = ?", (article_id,))
    stored = cur.fetchall()
    if not stored:
        return 0
    matched = 0
    for kind, start, end, anc, verdict, before, after, reviewer, at, note in stored:
        table = KINDS.get(kind)
        if table is None:
            continue
        cols = ["id", *_SNAPSHOT[kind], "trigger"] if kind == "claim" else ["id", *_SNAPSHOT[kind]]
        rows = db.execute(
            f"SELECT {', '.join(q(c) for c in cols)} FROM {q(table)} WHERE article_id = ? AND start = ? AND \"end\" = ?",
            (article_id, start, end)).fetchall()
        for r in rows:
            row = dict(zip(cols, r))
            for k in ("actor", "place", "trigger"):
                if row.get(k) is not None:
                    row[k] = _json(row[k])
            if anchor(kind, row) != (anc or ""):
                continue
            machine = _snapshot(kind, row)
            after_d = _json(after) or {}
            values = {**machine, **after_d}
            mark = {"verdict": verdict, "by": reviewer, "at": at, "note": note, "before": _json(before) or {},
                    "after": after_d}
            _write_row(db, kind, row["id"], values, mark)
            matched += 1
            break
    return matched


def gazetteer_resolver() -> Resolver:
    """Resolve a GeoNames id or a place name through the bundled gazetteer."""

    def resolve(value: str) -> Optional[dict[str, Any]]:
        from ..analyze.gazetteer import get_gazetteer

        gaz = get_gazetteer()
        value = value.strip()
        cand = gaz.get(int(value)) if value.lstrip("-").isdigit() else next(iter(gaz.lookup(value)), None)
        if cand is None:
            return None
        return {"geonames_id": cand.geonames_id, "name": cand.name, "feature": cand.feature,
                "country_code": cand.country_code, "admin1": cand.admin1, "lat": cand.lat, "lon": cand.lon}

    return resolve


def candidates(name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Gazetteer entries a place name may refer to, most populous first (for a correction)."""
    from ..analyze.gazetteer import get_gazetteer

    out = []
    for c in get_gazetteer().lookup(name.strip())[:limit]:
        out.append({"geonames_id": c.geonames_id, "name": c.name, "feature": c.feature,
                    "country_code": c.country_code, "admin1": c.admin1, "lat": c.lat, "lon": c.lon,
                    "population": c.population})
    return out
