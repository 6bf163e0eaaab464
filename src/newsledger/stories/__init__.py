"""Stories across outlets: event clusters, reprints and claim / quote provenance.

``update(store, article_ids)`` is the ingest hook (incremental, one call per
stored batch); the readers serve the CLI (``stories.cli``) and the API
(``stories.api``).
"""

from __future__ import annotations

from .cluster import update
from .queries import claim_provenance, get_story, list_stories, quote_provenance

__all__ = ["update", "list_stories", "get_story", "claim_provenance", "quote_provenance"]
