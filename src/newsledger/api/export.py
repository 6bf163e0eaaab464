"""List responses as JSON pages or as downloadable CSV / JSONL / Parquet."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Sequence

from fastapi import HTTPException
from fastapi.responses import Response, StreamingResponse

from ..store.cells import csv_cell as _csv_cell, flat as _flat
from ..store.sqlite import EXPORT_FORMATS

FORMATS = ("json", *EXPORT_FORMATS)  # a JSON page, or every match in one of the store's export formats
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise HTTPException(400, f"format must be one of {', '.join(FORMATS)}")
    return fmt


def _csv_chunks(rows: Sequence[dict], cols: list[str]) -> Iterable[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(cols)
    for i, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(row.get(c)) for c in cols])
        if i % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _jsonl_chunks(rows: Sequence[dict]) -> Iterable[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def _parquet_bytes(rows: Sequence[dict], cols: list[str]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [_flat(r.get(c)) for r in rows] for c in cols}
    table = pa.table(data) if rows else pa.table({c: pa.array([], pa.string()) for c in cols})
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def export_response(rows: Sequence[dict], fmt: str, name: str, columns: Sequence[str]) -> Response:
    cols = list(columns)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "csv":
        return StreamingResponse(_csv_chunks(rows, cols), media_type=MEDIA["csv"], headers=headers)
    if fmt == "jsonl":
        return StreamingResponse(_jsonl_chunks(rows), media_type=MEDIA["jsonl"], headers=headers)
    return Response(_parquet_bytes(rows, cols), media_type=MEDIA["parquet"], headers=headers)
