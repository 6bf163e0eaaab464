"""List responses as JSON pages or as downloads in any registered export format (``newsledger.exporters``)."""

from __future__ import annotations

import re
from typing import Any, Sequence

from fastapi import HTTPException
from fastapi.responses import Response, StreamingResponse

from .. import exporters


def formats() -> tuple[str, ...]:
    """A JSON page, or every match in one of the export formats."""
    return ("json", *exporters.names())


def format_pattern() -> str:
    """The ``format=`` parameter's pattern in the OpenAPI document."""
    return f"^({'|'.join(re.escape(f) for f in formats())})$"


def format_help(sep: str = " | ") -> str:
    return sep.join(exporters.names())


def download_content() -> dict[str, Any]:
    """OpenAPI content types of the downloads, one per export format."""
    return {e.media_type.split(";")[0]: {"schema": {"type": "string", **({"format": "binary"} if e.binary else {})}}
            for e in exporters.EXPORTERS.entries()}


def check_format(fmt: str) -> str:
    if fmt not in formats():
        raise HTTPException(400, f"format must be one of {', '.join(formats())}")
    return fmt


def export_response(rows: Sequence[dict], fmt: str, name: str, columns: Sequence[str]) -> Response:
    exp = exporters.get(fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return StreamingResponse(exp.write(rows, [(c, None) for c in columns]), media_type=exp.media_type, headers=headers)
