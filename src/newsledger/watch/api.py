"""API routes for followed sources and alerts. Register with
``app.include_router(watch.api.router, dependencies=reads)``; they read ``app.state.store``."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import Response

from ..store.watch import WatchStore
from .alerts import atom
from .health import report

router = APIRouter(tags=["watch"])
ATOM_TYPE = "application/atom+xml"


@router.get("/api/watch/health")
def sources_health(request: Request, collection: str | None = Query(None, max_length=200,
                                                                     description="only this collection")):
    """Health of each followed source (see `newsledger sources health`), silent and failing first."""
    items = report(WatchStore(request.app.state.store).sources(collection), time.time())
    counts: dict[str, int] = {}
    for h in items:
        counts[h["status"]] = counts.get(h["status"], 0) + 1
    return {"total": len(items), "statuses": counts, "items": items}


@router.get("/api/alerts")
def alerts_list(request: Request):
    """Saved searches with their match counts (webhook secrets are never shown)."""
    rows = WatchStore(request.app.state.store).alerts()
    items = [{"id": r["id"], "name": r["name"], "query": r.get("query"), "filters": r["filters"],
              "webhook": bool(r.get("webhook")), "matches": int(r["matches"] or 0), "last_match": r.get("last_match"),
              "atom": f"/api/alerts/{r['id']}/atom"} for r in rows]
    return {"total": len(items), "matches": sum(i["matches"] for i in items), "items": items}


@router.get("/api/alerts/{alert_id}/atom", response_class=Response,
            responses={200: {"content": {ATOM_TYPE: {}}, "description": "Atom 1.0 feed of the alert's matches"},
                       404: {"description": "no such alert"}})
def alert_atom(request: Request, alert_id: int = PathParam(..., ge=1, le=2**62),
               limit: int = Query(50, ge=1, le=500, description="entries, newest match first")):
    """The articles a saved search matched, newest first, as an Atom feed."""
    ws = WatchStore(request.app.state.store)
    alert = ws.alert(alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert {alert_id}")
    body = atom(alert, ws.matches(alert_id, limit), str(request.url))
    return Response(body, media_type=ATOM_TYPE)
