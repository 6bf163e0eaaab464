"""Export formats: one registry for the CLI's ``export``, the store's ``export`` and the API's downloads.

An exporter turns rows into chunks of a file: ``write(rows, columns)`` yields
``str`` chunks (text formats) or ``bytes`` (binary ones) as it goes, so the API
streams them and the store writes them out without holding the export in
memory. ``rows`` are dicts; ``columns`` are ``(name, type)`` pairs where type
is the store's column type (INTEGER, REAL, TEXT, JSON) or None when unknown
(API listings). A JSON column holds JSON text or already-decoded values.

A new format is one function plus ``@exporter(name, media_type=...)``, here or
in a plugin's module named in the ``newsledger.exporters`` entry point group;
the CLI's ``--format`` choices, the store's checks and the API's ``format=``
pattern and OpenAPI content types all follow the registry.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from .registry import Registry, UnknownName

Column = tuple[str, Optional[str]]
Rows = Iterable[dict[str, Any]]
Chunks = Iterator[Union[str, bytes]]


@dataclass(frozen=True)
class Exporter:
    name: str
    write: Callable[[Rows, Sequence[Column]], Chunks]
    media_type: str
    binary: bool = False
    extensions: tuple[str, ...] = ()  # file extensions that pick this format (the name's by default)


# The built-ins are defined below, in the order the CLI lists them.
EXPORTERS: Registry[Exporter] = Registry("export format", group="newsledger.exporters")


def exporter(name: str, *, media_type: str, binary: bool = False, extensions: Sequence[str] = ()):
    """Register the decorated ``write(rows, columns) -> chunks`` as export format ``name``."""

    def register(fn: Callable[[Rows, Sequence[Column]], Chunks]):
        EXPORTERS.add(name, Exporter(name, fn, media_type, binary, tuple(extensions) or (name,)))
        return fn

    return register


def get(fmt: str) -> Exporter:
    """The exporter of ``fmt``; UnknownName (listing the formats) when there is none."""
    return EXPORTERS.get(fmt)


def names() -> tuple[str, ...]:
    return EXPORTERS.names()


def for_extension(ext: str) -> Optional[Exporter]:
    ext = ext.lower().lstrip(".")
    return next((e for e in EXPORTERS.entries() if ext in e.extensions), None)


def write(fmt: Union[str, Exporter], rows: Rows, columns: Sequence[Column], out: Union[str, Path, IO]) -> int:
    """Write every row to ``out`` (a path, or an open file: text for text formats, binary for
    binary ones); returns the number of rows."""
    exp = fmt if isinstance(fmt, Exporter) else get(fmt)
    counted = _Counter(rows)
    if isinstance(out, (str, Path)):
        with (open(out, "wb") if exp.binary else open(out, "w", encoding="utf-8", newline="")) as fh:
            for chunk in exp.write(counted, columns):
                fh.write(chunk)
    else:
        for chunk in exp.write(counted, columns):
            out.write(chunk)
    return counted.n


class _Counter:
    def __init__(self, rows: Rows):
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.n += 1
            yield row


# ---------------------------------------------------------------- the built-in formats


@exporter("parquet", media_type="application/vnd.apache.parquet", binary=True)
def parquet(rows: Rows, columns: Sequence[Column]) -> Chunks:
    """Typed columns when the store says their types (streamed in row groups), else types inferred."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .store.cells import flat

    names = [c for c, _ in columns]
    if any(t is None for _, t in columns):
        rows = list(rows)
        data = {c: [flat(r.get(c)) for r in rows] for c in names}
        table = pa.table(data) if rows else pa.table({c: pa.array([], pa.string()) for c in names})
        out = io.BytesIO()
        pq.write_table(table, out)
        yield out.getvalue()
        return
    types = {"INTEGER": pa.int64(), "REAL": pa.float64()}
    schema = pa.schema([(c, types.get((t or "").split()[0], pa.string())) for c, t in columns])
    typed = [f.type for f in schema]
    spool = _Spool()

    text = [t == pa.string() for t in typed]

    def column(batch: list[dict], name: str, is_text: bool) -> list:
        values = [r.get(name) for r in batch]
        if is_text and any(isinstance(v, (dict, list)) for v in values):
            values = [flat(v) for v in values]
        return values

    def table(batch: list[dict]):
        return pa.Table.from_arrays([pa.array(column(batch, c, x), type=t) for c, t, x in zip(names, typed, text)],
                                    schema=schema)

    with pq.ParquetWriter(spool, schema) as writer:
        batch: list[dict] = []
        wrote = False
        for row in rows:
            batch.append(row)
            if len(batch) == 2000:
                writer.write_table(table(batch))
                wrote, batch = True, []
                yield spool.take()
        if batch or not wrote:
            writer.write_table(table(batch))
    yield spool.take()


class _Spool:
    """A write-only file for ParquetWriter whose bytes are taken out as they come (``tell`` keeps counting)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.pos = 0
        self.closed = False

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self.pos

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


@exporter("csv", media_type="text/csv; charset=utf-8")
def csv_rows(rows: Rows, columns: Sequence[Column]) -> Chunks:
    """Nested values as JSON text; formula-like cells defused (``store.cells.csv_cell``)."""
    from .store.cells import csv_cell

    names = [c for c, _ in columns]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(names)
    for i, row in enumerate(rows, 1):
        writer.writerow([csv_cell(row.get(c)) for c in names])
        if i % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


@exporter("jsonl", media_type="application/x-ndjson", extensions=("jsonl", "json", "ndjson"))
def jsonl(rows: Rows, columns: Sequence[Column]) -> Chunks:
    """One JSON object a line, JSON columns nested again (as in ``schema.to_dict``)."""
    json_cols = [c for c, t in columns if t == "JSON"]
    for row in rows:
        for c in json_cols:
            if isinstance(row.get(c), str):
                row = {**row, c: json.loads(row[c])}
        yield json.dumps(row, ensure_ascii=False) + "\n"


__all__ = ["EXPORTERS", "Exporter", "exporter", "get", "names", "for_extension", "write", "UnknownName"]
