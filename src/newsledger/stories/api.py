"""API routes for stories and provenance. Register with
``app.include_router(stories.api.router, dependencies=reads)``; they read ``app.state.store``."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request

from ..store.timestamps import SINCE_HELP, UNTIL_HELP
from . import claim_provenance, get_story, list_stories, quote_provenance

router = APIRouter(tags=["stories"])
ID_MAX = 2**63 - 1  # database integers
OFFSET_MAX = 1_000_000_000


@router.get("/api/stories")
def stories_list(
    request: Request,
    since: Optional[str] = Query(None, description=f"stories whose last article is {SINCE_HELP}"),
    until: Optional[str] = Query(None, description=f"stories whose first article is {UNTIL_HELP}"),
    min_size: int = Query(2, ge=1, le=1_000_000, description="only stories with at least this many articles"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=OFFSET_MAX),
):
    """Stories (the same event across outlets), most recently active first."""
    items = list_stories(request.app.state.store, since=since, until=until, min_size=min_size,
                         limit=limit, offset=offset)
    return {"items": items, "limit": limit, "offset": offset}


@router.get("/api/stories/{story_id}")
def story_detail(request: Request, story_id: int = PathParam(..., ge=1, le=ID_MAX)):
    """A story: articles (``copy_of`` marks reprints), outlets, claim groups with first seen,
    repeats and independent origins, and contradictions between outlets."""
    story = get_story(request.app.state.store, story_id)
    if story is None:
        raise HTTPException(404, f"no story {story_id}")
    return story


@router.get("/api/provenance/claims/{claim_id}")
def claim_origin(request: Request, claim_id: int = PathParam(..., ge=1, le=ID_MAX)):
    """First seen, repeats, independent origins, attributions and contradictions of a claim."""
    result = claim_provenance(request.app.state.store, claim_id)
    if result is None:
        raise HTTPException(404, f"no claim {claim_id}")
    return result


@router.get("/api/provenance/quotes/{quote_id}")
def quote_origin(request: Request, quote_id: int = PathParam(..., ge=1, le=ID_MAX)):
    """First publisher of a quote, later uses and word-level changes to its wording."""
    result = quote_provenance(request.app.state.store, quote_id)
    if result is None:
        raise HTTPException(404, f"no quote {quote_id}")
    return result
