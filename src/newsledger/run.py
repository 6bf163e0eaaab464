"""The pipeline runner: inputs -> read -> extract -> analyze -> store.

Documents stream through in batches (the analyzer is fastest on batches and
one transaction per batch keeps writes cheap). A document that cannot be
read, extracted or analysed is quarantined with its origin and the reason;
it never stops the run. Only problems with the run itself stop it: a missing
input (``InputError``, before anything is written), an unusable database
(``StoreError``) or an analyzer that cannot load (``PipelineError``).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Union

from .schema import Analysis, Article, BadInput, Origin, RawDocument

if TYPE_CHECKING:
    from .store import Store

BATCH_SIZE = 32
EXCERPT_CHARS = 300


class PipelineError(Exception):
    """A stage cannot run at all (e.g. the analyzer's models are missing)."""


@dataclass
class RunSummary:
    """What one ``ingest`` did. ``read`` counts documents (and bad inputs) read;
    ``skipped`` counts files the readers passed over on purpose, by kind."""

    run_id: Optional[int] = None
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: Counter = field(default_factory=Counter)  # reason -> documents
    skipped: dict[str, int] = field(default_factory=dict)
    files: int = 0  # files opened so far
    total_files: Optional[int] = None  # files to open, when known up front
    elapsed: float = 0.0
    status: str = "running"

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicates

    def counts(self) -> dict[str, Any]:
        return {
            "read": self.read, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "duplicates": self.duplicates, "quarantined": dict(self.quarantined), "skipped": dict(self.skipped),
            "files": self.files, "elapsed": round(self.elapsed, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "status": self.status, **self.counts()}


Progress = Callable[[RunSummary], None]


def _excerpt(raw: RawDocument) -> str:
    content = raw.content
    if isinstance(content, bytes):
        content = content[: EXCERPT_CHARS * 4].decode("utf-8", "replace")
    return content[:EXCERPT_CHARS]


def _failure(what: str, exc: Exception) -> str:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{what}: {type(exc).__name__}" + (f": {detail}" if detail else "")


def extract_one(raw: RawDocument) -> Union[Article, BadInput]:
    """Extract one document; any failure becomes a BadInput with the reason."""
    from .extract import ExtractError, extract

    try:
        return extract(raw)
    except ExtractError as e:
        return BadInput(raw.origin, str(e) or "no article found", _excerpt(raw))
    except Exception as e:  # an extractor bug on hostile input must not end the batch
        return BadInput(raw.origin, _failure("extractor failed", e), _excerpt(raw))


def _read(inputs: Iterable[str], stats=None, fetch_options=None) -> Iterator[Union[RawDocument, BadInput]]:
    from .ingest import read

    return read(list(inputs), stats=stats, fetch_options=fetch_options)


def extract_only(
    inputs: Iterable[str], *, fetch_options=None, stats=None, skip: Optional[set[str]] = None
) -> Iterator[Union[Article, BadInput]]:
    """Articles (or BadInputs) of ``inputs``, in input order; nothing is stored.
    Documents whose origin label is in ``skip`` (done before a crash) are passed over unextracted."""
    for item in _documents(inputs, stats, fetch_options, skip):
        yield item if isinstance(item, BadInput) else extract_one(item)


def _documents(inputs, stats, fetch_options, skip: Optional[set[str]]) -> Iterator[Union[RawDocument, BadInput]]:
    for item in _read(inputs, stats, fetch_options):
        if not (skip and item.origin.label() in skip):
            yield item


def load_analyzer():
    """The shared analyzer, or PipelineError saying how to get one."""
    from .analyze.pipeline import shared_analyzer

    try:
        return shared_analyzer()
    except Exception as e:
        raise PipelineError(
            f"the analyzer cannot load ({_failure('error', e).removeprefix('error: ')}): "
            "run `make setup`, or use `newsledger extract` / `ingest --no-analyze`"
        ) from None


def analyze_batch(analyzer, articles: list[Article]) -> list[Union[Analysis, BadInput]]:
    """Analyse a batch; when it fails, retry one by one so only the culprit is lost."""
    done: list[Union[Analysis, BadInput]] = []
    try:
        for analysis in analyzer.analyze(articles):
            done.append(analysis)
        return done
    except Exception:
        pass
    for art in articles[len(done):]:
        try:
            done.append(analyzer.analyze_one(art))
        except Exception as e:
            origin = art.provenance.origin or Origin(kind="article", path=art.url or art.id)
            done.append(BadInput(origin, _failure("analysis failed", e), (art.title or art.text or "")[:EXCERPT_CHARS]))
    return done


def _batched(items: Iterable[Any], size: int, unit: type = Article) -> Iterator[list[Any]]:
    """Batches holding ``size`` items of type ``unit`` each; BadInputs ride along in order."""
    batch: list[Any] = []
    counted = 0
    for item in items:
        batch.append(item)
        if isinstance(item, unit):
            counted += 1
            if counted >= size:
                yield batch
                batch, counted = [], 0
    if batch:
        yield batch


def analyze_only(
    inputs: Iterable[str], *, fetch_options=None, batch_size: int = BATCH_SIZE, stats=None, analyzer=None
) -> Iterator[Union[Analysis, BadInput]]:
    """Analyses (or BadInputs) of ``inputs``, in input order; nothing is stored."""
    analyzer = analyzer or load_analyzer()
    for batch in _batched(extract_only(inputs, fetch_options=fetch_options, stats=stats), batch_size):
        results = iter(analyze_batch(analyzer, [x for x in batch if isinstance(x, Article)]))
        for item in batch:
            yield item if isinstance(item, BadInput) else next(results)


def ingest(
    inputs: Iterable[str],
    store: "Store",
    *,
    analyze: bool = True,
    progress: Optional[Progress] = None,
    fetch_options=None,
    batch_size: int = BATCH_SIZE,
    force: bool = False,
    analyzer=None,
    resume: Optional[int] = None,
    executor=None,
) -> RunSummary:
    """Read, extract, (analyse) and store ``inputs``; returns the run's summary.

    Articles already stored unchanged and analysed are not analysed again
    unless ``force``. ``progress`` is called with the summary after each batch.
    ``analyzer`` defaults to the process's shared one, loaded only once some
    article needs analysing (so re-running on unchanged input stays fast).
    Every batch is journaled; ``resume`` (a run id)
    continues that unfinished run (see ``resume``), skipping the documents it had finished.
    ``executor`` (``executors.make_executor``) extracts and analyses batches
    elsewhere (worker processes, a Dask cluster); this process still writes.
    """
    from .ingest import ReadStats, count_inputs
    from .journal import Journal

    inputs = [str(i) for i in inputs]
    stats = ReadStats()
    summary = RunSummary(total_files=count_inputs(inputs))
    loaded = [analyzer]

    def get_analyzer():
        if loaded[0] is None:
            loaded[0] = load_analyzer()
        return loaded[0]

    journal = Journal(store)
    options = {"analyze": analyze, "force": force}
    if resume is not None:
        journal.claim(resume, options)  # before any work: refuses a run whose process still lives
    skip = journal.done(resume) if resume is not None else None
    if executor is None:
        documents = extract_only(inputs, fetch_options=fetch_options, stats=stats, skip=skip)
    else:  # the executor's workers extract
        documents = _documents(inputs, stats, fetch_options, skip)
    # read() checks that every input exists before yielding: fail before a run is recorded.
    first = next(documents, None)
    started = time.monotonic()
    if resume is None:
        summary.run_id = store.start_run(inputs)
        journal.claim(summary.run_id, options)
    else:
        summary.run_id = resume
        journal.restore(resume, summary)
    try:
        stream = documents if first is None else _chain(first, documents)
        if executor is None:
            work = ((batch, None) for batch in _batched(stream, batch_size))
        else:
            work = executor.process(stream, batch_size=batch_size, analyze=analyze,
                                    select=lambda articles: _select(articles, store, summary, force))
        for batch, analysed in work:
            summary.read += len(batch)
            _store_batch(batch, store, get_analyzer if analyze else None, summary, force, analysed)
            journal.record(summary.run_id, batch, summary.counts())
            summary.files = stats.files
            summary.skipped = dict(stats.skipped)
            summary.elapsed = time.monotonic() - started
            if progress:
                progress(summary)
        summary.status = "ok"
    except KeyboardInterrupt:
        summary.status = "interrupted"
        raise
    except BaseException:
        summary.status = "failed"
        raise
    finally:
        summary.files = stats.files
        summary.skipped = dict(stats.skipped)
        summary.elapsed = time.monotonic() - started
        try:
            store.finish_run(summary.run_id, summary.counts(), summary.status)  # "ok" also drops the journal
        except Exception:
            if summary.status == "ok":
                raise
    return summary


def resume(store: "Store", **kwargs: Any) -> RunSummary:
    """Continue the last unfinished run with its inputs and options (``ingest`` keywords
    other than ``analyze`` and ``force`` pass through)."""
    from .journal import resumable_run

    last = resumable_run(store)
    opts = last["options"]
    return ingest(last["inputs"], store, analyze=bool(opts.get("analyze", True)), force=bool(opts.get("force", False)),
                  resume=last["id"], **kwargs)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _select(articles: list[Article], store: "Store", summary: RunSummary, force: bool) -> list[Article]:
    """The articles to analyse: those not stored unchanged and analysed (all with ``force``)."""
    todo = []
    for art in articles:
        if not force and store.is_current(art):
            summary.unchanged += 1
        else:
            todo.append(art)
    return todo


def _update_stories(store: "Store", records: list, statuses: list[str], articles: list[Article]) -> None:
    """Let changed articles join or open story clusters (incremental, per batch)."""
    from .journal import unplaced

    changed = [(r.article.id if isinstance(r, Analysis) else r.id)
               for r, st in zip(records, statuses) if st != "unchanged"]
    # A crash between storing a batch and placing it leaves its articles stored but in no
    # story; the resumed run finds them unchanged, so unchanged articles without a story count too.
    seen = set(changed)
    changed += unplaced(store, [a.id for a in articles if a.id not in seen])
    if changed:
        from .stories import update as update_stories

        update_stories(store, changed)


def _store_batch(batch: list, store: "Store", get_analyzer, summary: RunSummary, force: bool,
                 analysed: Optional[list] = None) -> None:
    """Store a batch; ``analysed``: its analyses when an executor already made them."""
    bad = [x for x in batch if isinstance(x, BadInput)]
    articles = [x for x in batch if isinstance(x, Article)]
    if get_analyzer is not None:
        if analysed is None:
            todo = _select(articles, store, summary, force)
            results = analyze_batch(get_analyzer(), todo) if todo else []
        else:
            results = analysed
        bad += [r for r in results if isinstance(r, BadInput)]
        records: list[Union[Analysis, Article]] = [r for r in results if isinstance(r, Analysis)]
    else:
        records = list(articles)
    statuses = store.upsert_many(records, run_id=summary.run_id)
    for status in statuses:
        field_name = "duplicates" if status == "duplicate" else status
        setattr(summary, field_name, getattr(summary, field_name) + 1)
    _update_stories(store, records, statuses, articles)
    if bad:
        store.quarantine_many(bad, run_id=summary.run_id)
        summary.quarantined.update(b.reason for b in bad)
